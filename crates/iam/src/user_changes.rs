//! Changes to an existing user from its console page: disable and enable (Gatehouse's addition to
//! AWS's model), the permissions boundary, and deleting the user with everything it has. Also
//! renaming a group.

use serde_json::json;

use crate::authz::Actor;
use crate::entities::{change, Kind};
use crate::events::{self, RequestMeta, Source};
use crate::{AccountId, Error, GroupName, Iam, IamPath, Result, UserName};

impl Iam {
    /// Disables or enables a user, authorized as `iam:UpdateUser` on its ARN (AWS has no
    /// disable; UpdateUser is the action that changes a user in place). A disabled user cannot
    /// sign in and its sessions end at once (its authentication epoch moves on).
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        disabled: bool,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, u) = self
            .begin_change(actor, account, Kind::User, user.as_str(), "iam:UpdateUser", &[])
            .await?;
        if actor.arn() == Some(u.arn.as_str()) && disabled {
            return Err(Error::Invalid {
                field: "user",
                reason: "cannot be disabled by itself: ask another administrator".into(),
            });
        }
        sqlx::query!(
            "update iam_users set disabled_at = case when $2 then coalesce(disabled_at, now()) end, \
             auth_epoch = auth_epoch + case when $2 then 1 else 0 end where user_id = $1",
            u.id,
            disabled,
        )
        .execute(&mut *tx)
        .await?;
        let name = if disabled { "DisableUser" } else { "EnableUser" };
        let mut event = change(
            account,
            source,
            name,
            actor,
            meta,
            &u.arn,
            json!({"userName": u.name}),
        );
        event.after = Some(json!({ "disabled": disabled }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a user's permissions boundary to a managed policy, authorized as
    /// `iam:PutUserPermissionsBoundary` with `iam:PermissionsBoundary` in the context.
    pub async fn put_user_boundary(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        policy_arn: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let extra = [("iam:PermissionsBoundary", policy_arn)];
        let (mut tx, u) = self
            .begin_change(
                actor,
                account,
                Kind::User,
                user.as_str(),
                "iam:PutUserPermissionsBoundary",
                &extra,
            )
            .await?;
        let policy_id = self.attachable_policy(&mut tx, account, policy_arn).await?;
        sqlx::query!(
            "update iam_users set permissions_boundary = $2 where user_id = $1",
            u.id,
            policy_id
        )
        .execute(&mut *tx)
        .await?;
        let request = json!({"userName": u.name, "permissionsBoundary": policy_arn});
        events::append(
            &mut tx,
            change(
                account,
                source,
                "PutUserPermissionsBoundary",
                actor,
                meta,
                &u.arn,
                request,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a user's permissions boundary, authorized as `iam:DeleteUserPermissionsBoundary`.
    pub async fn delete_user_boundary(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, u) = self
            .begin_change(
                actor,
                account,
                Kind::User,
                user.as_str(),
                "iam:DeleteUserPermissionsBoundary",
                &[],
            )
            .await?;
        let removed = sqlx::query!(
            "update iam_users set permissions_boundary = null where user_id = $1 and permissions_boundary is not null",
            u.id
        )
        .execute(&mut *tx)
        .await?;
        if removed.rows_affected() == 0 {
            return Err(Error::NotFound {
                kind: "permissions boundary of user",
                name: u.name,
            });
        }
        let request = json!({"userName": u.name});
        events::append(
            &mut tx,
            change(
                account,
                source,
                "DeleteUserPermissionsBoundary",
                actor,
                meta,
                &u.arn,
                request,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a user as the console does: its login profile, group memberships, attached and
    /// inline policies go with it, in one transaction whose event records what it had. Authorized
    /// as `iam:DeleteUser` on its ARN. Its sessions end because the user no longer exists.
    pub async fn delete_user(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, u) = self
            .begin_change(actor, account, Kind::User, user.as_str(), "iam:DeleteUser", &[])
            .await?;
        if actor.arn() == Some(u.arn.as_str()) {
            return Err(Error::Invalid {
                field: "user",
                reason: "cannot be deleted by itself: ask another administrator".into(),
            });
        }
        let had = sqlx::query!(
            r#"select
                 array(select g.group_name from group_members m join iam_groups g using (group_id)
                        where m.user_id = $1 order by 1) as "groups!",
                 array(select p.policy_id from user_policy_attachments p where p.user_id = $1 order by 1) as "policies!",
                 array(select i.policy_name from user_inline_policies i where i.user_id = $1 order by 1) as "inline!",
                 exists(select 1 from login_profiles l where l.user_id = $1) as "console!""#,
            u.id
        )
        .fetch_one(&mut *tx)
        .await?;
        // Memberships, attachments, inline policies and the login profile cascade with the row.
        sqlx::query!("delete from iam_users where user_id = $1", u.id)
            .execute(&mut *tx)
            .await?;
        let mut event = change(
            account,
            source,
            "DeleteUser",
            actor,
            meta,
            &u.arn,
            json!({"userName": u.name}),
        );
        event.before = Some(json!({
            "userId": u.id,
            "groups": had.groups,
            "attachedPolicyIds": had.policies,
            "inlinePolicies": had.inline,
            "consoleAccess": had.console,
        }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Renames a group (and optionally moves it to another path), authorized as
    /// `iam:UpdateGroup` on both its current and its new ARN, as AWS requires.
    #[allow(clippy::too_many_arguments)]
    pub async fn rename_group(
        &self,
        actor: &Actor,
        account: &AccountId,
        group: &GroupName,
        new_name: &GroupName,
        new_path: Option<&IamPath>,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, g) = self
            .begin_change(
                actor,
                account,
                Kind::Group,
                group.as_str(),
                "iam:UpdateGroup",
                &[],
            )
            .await?;
        let path = match new_path {
            Some(p) => p.clone(),
            None => sqlx::query_scalar!("select path from iam_groups where group_id = $1", g.id)
                .fetch_one(&mut *tx)
                .await?
                .try_into()?,
        };
        let new_arn = self.partition().group_arn(account, &path, new_name);
        let _ok = self
            .authorize(actor, "iam:UpdateGroup", &new_arn, account)
            .await?;
        sqlx::query!(
            "update iam_groups set group_name = $2, path = $3 where group_id = $1",
            g.id,
            new_name.as_str(),
            path.as_str()
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::from(e).naming(new_name))?;
        let mut event = change(
            account,
            source,
            "UpdateGroup",
            actor,
            meta,
            &g.arn,
            json!({"groupName": g.name, "newGroupName": new_name, "newPath": path}),
        );
        event.before = Some(json!({ "groupName": g.name, "arn": g.arn }));
        event.after = Some(json!({ "groupName": new_name, "arn": new_arn }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Renames a user and/or moves it to another path (AWS UpdateUser), authorized as
    /// `iam:UpdateUser` on both its current and its new ARN, as AWS requires. Its ID, policies,
    /// groups, credentials and sessions stay; its ARN changes.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_user(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        new_name: Option<&UserName>,
        new_path: Option<&IamPath>,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, u) = self
            .begin_change(actor, account, Kind::User, user.as_str(), "iam:UpdateUser", &[])
            .await?;
        let path: IamPath = match new_path {
            Some(p) => p.clone(),
            None => sqlx::query_scalar!("select path from iam_users where user_id = $1", u.id)
                .fetch_one(&mut *tx)
                .await?
                .try_into()?,
        };
        let name: UserName = match new_name {
            Some(n) => n.clone(),
            None => u.name.as_str().try_into()?,
        };
        let new_arn = self.partition().user_arn(account, &path, &name);
        let _ok = self.authorize(actor, "iam:UpdateUser", &new_arn, account).await?;
        sqlx::query!(
            "update iam_users set user_name = $2, path = $3 where user_id = $1",
            u.id,
            name.as_str(),
            path.as_str()
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::from(e).naming(&name))?;
        let mut event = change(
            account,
            source,
            "UpdateUser",
            actor,
            meta,
            &u.arn,
            json!({"userName": u.name, "newUserName": name.as_str(), "newPath": path.as_str()}),
        );
        event.before = Some(json!({ "userName": u.name, "arn": u.arn }));
        event.after = Some(json!({ "userName": name.as_str(), "arn": new_arn }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }
}
