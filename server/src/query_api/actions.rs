//! The IAM API's actions: each reads its parameters into domain types, calls the `crates/iam`
//! service (which authorizes it), and writes AWS's response shape. Inputs, outputs and errors
//! follow the AWS IAM API reference.

use gatehouse_iam::{
    AccessKeyId, AccessKeyStatus, AccountAlias, AccountId, Actor, CredentialOwner, GroupName, Iam, IamPath,
    NewLoginProfile, NewPolicy, NewUser, NewUserPermissions, PolicyName, PolicyRead, PolicyScope,
    PrincipalKind, RequestMeta, Source, Tag, UserName, UserQuery, UserRead,
};
use serde_json::{Map, Value};

use super::wire::{url_encoded, ApiError, Params, Xml};

/// One authenticated API call.
pub(crate) struct Call<'a> {
    pub iam: &'a Iam,
    pub actor: Actor,
    pub account: AccountId,
    pub meta: RequestMeta,
    pub params: &'a Params,
}

type Reply = Result<Option<String>, ApiError>;

/// Runs `action`; `Ok(Some(xml))` is the Result element's content, `Ok(None)` an empty result.
pub(crate) async fn run(call: &Call<'_>, action: &str) -> Reply {
    match call.params.get("Version") {
        Some("2010-05-08") | Some("2011-06-15") | None => {}
        Some(other) => {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "InvalidAction",
                format!("Could not find operation {action} for version {other}"),
            ))
        }
    }
    match action {
        "GetCallerIdentity" => call.get_caller_identity(),
        // Users
        "CreateUser" => call.create_user().await,
        "GetUser" => call.get_user().await,
        "ListUsers" => call.list_users().await,
        "DeleteUser" => call.delete_user().await,
        "UpdateUser" => call.update_user().await,
        "TagUser" => call.tag_user().await,
        "UntagUser" => call.untag_user().await,
        "ListUserTags" => call.list_user_tags().await,
        // Groups
        "CreateGroup" => call.create_group().await,
        "GetGroup" => call.get_group().await,
        "ListGroups" => call.list_groups().await,
        "DeleteGroup" => call.delete_group().await,
        "AddUserToGroup" => call.membership(true).await,
        "RemoveUserFromGroup" => call.membership(false).await,
        "ListGroupsForUser" => call.list_groups_for_user().await,
        // Managed policies and their versions
        "CreatePolicy" => call.create_policy().await,
        "GetPolicy" => call.get_policy().await,
        "ListPolicies" => call.list_policies().await,
        "DeletePolicy" => call.delete_policy().await,
        "CreatePolicyVersion" => call.create_policy_version().await,
        "GetPolicyVersion" => call.get_policy_version().await,
        "ListPolicyVersions" => call.list_policy_versions().await,
        "DeletePolicyVersion" => call.delete_policy_version().await,
        "SetDefaultPolicyVersion" => call.set_default_policy_version().await,
        // Attachments
        "AttachUserPolicy" => call.attachment(Entity::User, true).await,
        "DetachUserPolicy" => call.attachment(Entity::User, false).await,
        "AttachGroupPolicy" => call.attachment(Entity::Group, true).await,
        "DetachGroupPolicy" => call.attachment(Entity::Group, false).await,
        "ListAttachedUserPolicies" => call.list_attached(Entity::User).await,
        "ListAttachedGroupPolicies" => call.list_attached(Entity::Group).await,
        "ListEntitiesForPolicy" => call.list_entities_for_policy().await,
        // Inline policies
        "PutUserPolicy" => call.put_inline(Entity::User).await,
        "PutGroupPolicy" => call.put_inline(Entity::Group).await,
        "GetUserPolicy" => call.get_inline(Entity::User).await,
        "GetGroupPolicy" => call.get_inline(Entity::Group).await,
        "DeleteUserPolicy" => call.delete_inline(Entity::User).await,
        "DeleteGroupPolicy" => call.delete_inline(Entity::Group).await,
        "ListUserPolicies" => call.list_inline(Entity::User).await,
        "ListGroupPolicies" => call.list_inline(Entity::Group).await,
        // Boundaries
        "PutUserPermissionsBoundary" => call.put_boundary().await,
        "DeleteUserPermissionsBoundary" => call.delete_boundary().await,
        // Login profiles
        "CreateLoginProfile" => call.login_profile(true).await,
        "UpdateLoginProfile" => call.login_profile(false).await,
        "DeleteLoginProfile" => call.delete_login_profile().await,
        "GetLoginProfile" => call.get_login_profile().await,
        // Access keys
        "CreateAccessKey" => call.create_access_key().await,
        "ListAccessKeys" => call.list_access_keys().await,
        "UpdateAccessKey" => call.update_access_key().await,
        "DeleteAccessKey" => call.delete_access_key().await,
        "GetAccessKeyLastUsed" => call.get_access_key_last_used().await,
        // Account
        "GetAccountSummary" => call.get_account_summary().await,
        "GetAccountAuthorizationDetails" => call.get_account_authorization_details().await,
        "CreateAccountAlias" => call.create_account_alias().await,
        "DeleteAccountAlias" => call.delete_account_alias().await,
        "ListAccountAliases" => call.list_account_aliases().await,
        "GetAccountPasswordPolicy" => call.get_password_policy().await,
        "UpdateAccountPasswordPolicy" => call.update_password_policy().await,
        "DeleteAccountPasswordPolicy" => call.delete_password_policy().await,
        "GenerateCredentialReport" => call.generate_credential_report().await,
        "GetCredentialReport" => call.get_credential_report().await,
        // MFA and one's own password
        "ListMFADevices" => call.list_mfa_devices().await,
        "CreateVirtualMFADevice" => call.create_virtual_mfa_device().await,
        "EnableMFADevice" => call.mfa_codes(true).await,
        "ResyncMFADevice" => call.mfa_codes(false).await,
        "DeactivateMFADevice" => call.deactivate_mfa_device().await,
        "DeleteVirtualMFADevice" => call.delete_virtual_mfa_device().await,
        "ChangePassword" => call.change_password().await,
        // Simulation
        "SimulatePrincipalPolicy" => call.simulate_principal_policy().await,
        "SimulateCustomPolicy" => call.simulate_custom_policy().await,
        "UpdateGroup" => call.update_group().await,
        "TagPolicy" => call.tag_policy(true).await,
        "UntagPolicy" => call.tag_policy(false).await,
        "ListPolicyTags" => call.list_policy_tags().await,
        "" => Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "MissingAction",
            "Missing Action",
        )),
        other => Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "InvalidAction",
            format!(
                "Could not find operation {} for version 2010-05-08",
                other.chars().take(64).collect::<String>()
            ),
        )),
    }
}

#[derive(Clone, Copy)]
enum Entity {
    User,
    Group,
}

/// Parameters never written to the event history.
fn is_secret_param(name: &str) -> bool {
    name.contains("Password") || name.starts_with("AuthenticationCode")
}

impl Call<'_> {
    /// Records the call in the event history when no service did: reads, and every failure.
    pub(crate) async fn record(&self, action: &str, error: Option<&ApiError>) {
        let is_read = ["Get", "List", "Simulate"].iter().any(|p| action.starts_with(p));
        if error.is_none() && !is_read {
            return;
        }
        let request: Map<String, Value> = self
            .params
            .iter()
            .filter(|(k, _)| !is_secret_param(k) && *k != "Action" && *k != "Version")
            .map(|(k, v)| (k.to_owned(), Value::String(v.chars().take(2048).collect())))
            .collect();
        if let Err(err) = self
            .iam
            .record_api_call(
                &self.actor,
                &self.account,
                if action.is_empty() { "(none)" } else { action },
                &self.meta,
                error.map(|e| e.code),
                Value::Object(request),
            )
            .await
        {
            tracing::error!(error = %err, "could not record an IAM API call in the event history");
        }
    }

    fn user_name(&self, param: &str) -> Result<UserName, ApiError> {
        Ok(UserName::try_from(self.params.required(param)?)?)
    }

    fn group_name(&self) -> Result<GroupName, ApiError> {
        Ok(GroupName::try_from(self.params.required("GroupName")?)?)
    }

    /// The user (`UserName`) or group (`GroupName`) a call names, validated, as the read
    /// services take it.
    fn entity_named(&self, entity: Entity) -> Result<(gatehouse_iam::EntityKind, String), ApiError> {
        Ok(match entity {
            Entity::User => (
                gatehouse_iam::EntityKind::User,
                self.user_name("UserName")?.to_string(),
            ),
            Entity::Group => (gatehouse_iam::EntityKind::Group, self.group_name()?.to_string()),
        })
    }

    fn path(&self, param: &str) -> Result<IamPath, ApiError> {
        Ok(IamPath::try_from(self.params.get(param).unwrap_or("/"))?)
    }

    fn tags(&self) -> Result<Vec<Tag>, ApiError> {
        let mut tags = Vec::new();
        for t in self.params.structs("Tags", &["Key", "Value"]) {
            let key = t.get("Key").map(String::as_str).unwrap_or_default();
            let value = t.get("Value").map(String::as_str).unwrap_or_default();
            tags.push(Tag::new(key, value)?);
        }
        Ok(tags)
    }

    /// The credential owner an access-key action is about: `UserName`, or the caller itself.
    fn owner_name(&self) -> Result<Option<UserName>, ApiError> {
        if let Some(name) = self.params.get("UserName") {
            return Ok(Some(UserName::try_from(name)?));
        }
        match &self.actor {
            Actor::Principal(p) => match &p.kind {
                PrincipalKind::User { user_name, .. } => Ok(Some(user_name.clone())),
                PrincipalKind::Root { .. } => Ok(None),
            },
            _ => Ok(None),
        }
    }

    fn get_caller_identity(&self) -> Reply {
        let Actor::Principal(p) = &self.actor else {
            return Err(ApiError::validation("no caller"));
        };
        let user_id = match &p.kind {
            PrincipalKind::User { user_id, .. } => user_id.to_string(),
            PrincipalKind::Root { .. } => p.account_id.to_string(),
        };
        let mut x = Xml::new();
        x.leaf("UserId", &user_id)
            .leaf("Account", p.account_id.as_str())
            .leaf("Arn", &p.arn);
        Ok(Some(x.finish()))
    }

    // ----- users -----

    async fn create_user(&self) -> Reply {
        let new = NewUser {
            name: self.user_name("UserName")?,
            path: self.path("Path")?,
            password: None,
            password_reset_required: false,
        };
        let boundary = self.params.get("PermissionsBoundary").map(str::to_owned);
        let tags = self.tags()?;
        let perms = NewUserPermissions {
            boundary: boundary.clone(),
            tags: tags.clone(),
            ..NewUserPermissions::default()
        };
        let created = self
            .iam
            .create_user_with(
                &self.actor,
                &gatehouse_iam::AccountRef::Id(self.account.clone()),
                new,
                perms,
                Source::Api,
                &self.meta,
            )
            .await?;
        // The answer is what was just written: reading it back would need iam:GetUser, which
        // a caller allowed only iam:CreateUser does not have.
        let user = gatehouse_iam::ApiUser {
            path: created.path.to_string(),
            name: created.user_name.to_string(),
            user_id: created.user_id.to_string(),
            arn: created.arn,
            created_at: created.created_at,
            password_last_used: None,
            boundary_arn: boundary,
            tags,
        };
        let mut x = Xml::new();
        x.node("User", |x| user_xml(x, &user));
        Ok(Some(x.finish()))
    }

    async fn get_user(&self) -> Reply {
        let name = match self.owner_name()? {
            Some(name) => name,
            None => return self.root_as_user(),
        };
        let user = self
            .iam
            .api_user(&self.actor, &self.account, &name, UserRead::GetUser)
            .await?;
        let mut x = Xml::new();
        x.node("User", |x| user_xml(x, &user));
        Ok(Some(x.finish()))
    }

    /// GetUser without a name, called by the root user: AWS describes the root user.
    fn root_as_user(&self) -> Reply {
        let Actor::Principal(p) = &self.actor else {
            return Err(ApiError::validation("no caller"));
        };
        let mut x = Xml::new();
        x.node("User", |x| {
            x.leaf("UserId", p.account_id.as_str()).leaf("Arn", &p.arn);
        });
        Ok(Some(x.finish()))
    }

    async fn list_users(&self) -> Reply {
        let (marker, max) = self.params.page()?;
        let query = UserQuery {
            after: marker.map(str::to_owned),
            limit: max,
            path_prefix: self.params.get("PathPrefix").map(str::to_owned),
            ..UserQuery::default()
        };
        let page = self.iam.list_users(&self.actor, &self.account, &query).await?;
        let mut x = Xml::new();
        x.members("Users", &page.users, |x, u| {
            user_head_xml(x, &u.path, &u.name, &u.user_id, &u.arn, u.created_at);
            if let Some(at) = u.console_last_sign_in {
                x.time("PasswordLastUsed", at);
            }
        });
        x.page(page.next.as_deref());
        Ok(Some(x.finish()))
    }

    async fn update_user(&self) -> Reply {
        let name = self.user_name("UserName")?;
        let new_name = self
            .params
            .get("NewUserName")
            .map(UserName::try_from)
            .transpose()?;
        let new_path = self.params.get("NewPath").map(IamPath::try_from).transpose()?;
        self.iam
            .update_user(
                &self.actor,
                &self.account,
                &name,
                new_name.as_ref(),
                new_path.as_ref(),
                Source::Api,
                &self.meta,
            )
            .await?;
        Ok(None)
    }

    async fn delete_user(&self) -> Reply {
        let name = self.user_name("UserName")?;
        self.iam
            .delete_user(&self.actor, &self.account, &name, Source::Api, &self.meta)
            .await?;
        Ok(None)
    }

    async fn tag_user(&self) -> Reply {
        let name = self.user_name("UserName")?;
        let tags = self.tags()?;
        self.iam
            .tag_user(&self.actor, &self.account, &name, &tags, Source::Api, &self.meta)
            .await?;
        Ok(None)
    }

    async fn untag_user(&self) -> Reply {
        let name = self.user_name("UserName")?;
        let keys: Vec<String> = self
            .params
            .list("TagKeys")
            .into_iter()
            .map(str::to_owned)
            .collect();
        self.iam
            .untag_user(&self.actor, &self.account, &name, &keys, Source::Api, &self.meta)
            .await?;
        Ok(None)
    }

    async fn list_user_tags(&self) -> Reply {
        let name = self.user_name("UserName")?;
        let user = self
            .iam
            .api_user(&self.actor, &self.account, &name, UserRead::ListUserTags)
            .await?;
        let mut x = Xml::new();
        x.members("Tags", &user.tags, |x, t| {
            x.leaf("Key", &t.key).leaf("Value", &t.value);
        });
        x.flag("IsTruncated", false);
        Ok(Some(x.finish()))
    }

    // ----- groups -----

    async fn create_group(&self) -> Reply {
        let name = self.group_name()?;
        let path = self.path("Path")?;
        let created = self
            .iam
            .create_group(&self.actor, &self.account, name, path, Source::Api, &self.meta)
            .await?;
        let detail = self
            .iam
            .get_group(&self.actor, &self.account, &created.group_name)
            .await?;
        let mut x = Xml::new();
        x.node("Group", |x| {
            group_xml(
                x,
                &detail.path,
                &detail.name,
                &detail.group_id,
                &detail.arn,
                detail.created_at,
            );
        });
        Ok(Some(x.finish()))
    }

    async fn get_group(&self) -> Reply {
        let name = self.group_name()?;
        let detail = self.iam.get_group(&self.actor, &self.account, &name).await?;
        let members = self.iam.group_members(&self.actor, &self.account, &name).await?;
        let mut x = Xml::new();
        x.node("Group", |x| {
            group_xml(
                x,
                &detail.path,
                &detail.name,
                &detail.group_id,
                &detail.arn,
                detail.created_at,
            );
        });
        x.members("Users", &members, |x, m| {
            user_head_xml(x, &m.path, &m.name, &m.user_id, &m.arn, m.created_at);
        });
        x.flag("IsTruncated", false);
        Ok(Some(x.finish()))
    }

    async fn list_groups(&self) -> Reply {
        let groups = self.iam.list_groups(&self.actor, &self.account).await?;
        let prefix = self.params.get("PathPrefix").unwrap_or("/");
        let groups: Vec<_> = groups
            .into_iter()
            .filter(|g| g.path.as_str().starts_with(prefix))
            .collect();
        self.group_page(groups, "Groups")
    }

    async fn list_groups_for_user(&self) -> Reply {
        let name = self.user_name("UserName")?;
        let groups = self
            .iam
            .groups_for_user(&self.actor, &self.account, &name)
            .await?;
        self.group_page(groups, "Groups")
    }

    /// A page of groups by name: the marker is the last name shown, lower-cased.
    fn group_page(&self, groups: Vec<gatehouse_iam::GroupSummary>, tag: &str) -> Reply {
        let (marker, max) = self.params.page()?;
        let (page, next) = paginate(groups, marker, max as usize, |g| g.name.as_str().to_lowercase());
        let mut x = Xml::new();
        x.members(tag, &page, |x, g| {
            group_xml(
                x,
                g.path.as_str(),
                g.name.as_str(),
                &g.group_id,
                &g.arn,
                g.created_at,
            );
        });
        x.page(next.as_deref());
        Ok(Some(x.finish()))
    }

    async fn delete_group(&self) -> Reply {
        let name = self.group_name()?;
        self.iam
            .delete_group(&self.actor, &self.account, &name, Source::Api, &self.meta)
            .await?;
        Ok(None)
    }

    async fn membership(&self, add: bool) -> Reply {
        let group = self.group_name()?;
        let user = self.user_name("UserName")?;
        if add {
            self.iam
                .add_user_to_group(&self.actor, &self.account, &group, &user, Source::Api, &self.meta)
                .await?;
        } else {
            self.iam
                .remove_user_from_group(&self.actor, &self.account, &group, &user, Source::Api, &self.meta)
                .await?;
        }
        Ok(None)
    }

    // ----- managed policies -----

    async fn create_policy(&self) -> Reply {
        let new = NewPolicy {
            name: PolicyName::try_from(self.params.required("PolicyName")?)?,
            path: self.path("Path")?,
            description: self.params.get("Description").unwrap_or_default().to_owned(),
            document: self.params.required("PolicyDocument")?.to_owned(),
        };
        let created = self
            .iam
            .create_policy(&self.actor, &self.account, new, Source::Api, &self.meta)
            .await?;
        let tags = self.tags()?;
        if !tags.is_empty() {
            self.iam
                .tag_policy(
                    &self.actor,
                    &self.account,
                    &created.arn,
                    &tags,
                    Source::Api,
                    &self.meta,
                )
                .await?;
        }
        let detail = self
            .iam
            .get_policy(&self.actor, &self.account, &created.arn)
            .await?;
        let mut x = Xml::new();
        x.node("Policy", |x| policy_xml(x, &detail));
        Ok(Some(x.finish()))
    }

    async fn get_policy(&self) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        let detail = self.iam.get_policy(&self.actor, &self.account, arn).await?;
        let mut x = Xml::new();
        x.node("Policy", |x| policy_xml(x, &detail));
        Ok(Some(x.finish()))
    }

    async fn list_policies(&self) -> Reply {
        let scope = match self.params.get("Scope").unwrap_or("All") {
            "All" => PolicyScope::All,
            "AWS" => PolicyScope::System,
            "Local" => PolicyScope::Customer,
            other => {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{other}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"
                )))
            }
        };
        let only_attached = self.params.flag("OnlyAttached", false)?;
        let prefix = self.params.get("PathPrefix").unwrap_or("/");
        let policies = self
            .iam
            .list_policies(&self.actor, &self.account, scope)
            .await?
            .into_iter()
            .filter(|p| p.path.starts_with(prefix) && (!only_attached || p.attachments > 0))
            .collect::<Vec<_>>();
        let (marker, max) = self.params.page()?;
        let (page, next) = paginate(policies, marker, max as usize, |p| p.arn.clone());
        let mut x = Xml::new();
        x.members("Policies", &page, |x, p| {
            x.leaf("PolicyName", &p.name)
                .leaf("PolicyId", &p.policy_id)
                .leaf("Arn", &p.arn)
                .leaf("Path", &p.path)
                .leaf("DefaultVersionId", &p.default_version)
                .number("AttachmentCount", p.attachments)
                .number("PermissionsBoundaryUsageCount", p.boundary_uses)
                .flag("IsAttachable", true)
                .time("CreateDate", p.created_at)
                .time("UpdateDate", p.created_at);
        });
        x.page(next.as_deref());
        Ok(Some(x.finish()))
    }

    async fn delete_policy(&self) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        self.iam
            .delete_policy(&self.actor, &self.account, arn, Source::Api, &self.meta)
            .await?;
        Ok(None)
    }

    async fn create_policy_version(&self) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        let document = self.params.required("PolicyDocument")?;
        let set_default = self.params.flag("SetAsDefault", false)?;
        let version = self
            .iam
            .create_policy_version(
                &self.actor,
                &self.account,
                arn,
                document,
                set_default,
                Source::Api,
                &self.meta,
            )
            .await?;
        let detail = self.iam.get_policy(&self.actor, &self.account, arn).await?;
        let info = detail.versions.iter().find(|v| v.version_id == version);
        let mut x = Xml::new();
        x.node("PolicyVersion", |x| {
            x.leaf("VersionId", &version)
                .flag("IsDefaultVersion", set_default);
            if let Some(info) = info {
                x.time("CreateDate", info.created_at);
            }
        });
        Ok(Some(x.finish()))
    }

    async fn get_policy_version(&self) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        let version = self.params.required("VersionId")?;
        let detail = self
            .iam
            .read_policy(&self.actor, &self.account, arn, PolicyRead::GetPolicyVersion)
            .await?;
        let v = detail
            .versions
            .iter()
            .find(|v| v.version_id == version)
            .ok_or_else(|| {
                ApiError::new(
                    axum::http::StatusCode::NOT_FOUND,
                    "NoSuchEntity",
                    format!("Policy {arn} version {version} does not exist or is not attachable."),
                )
            })?;
        let mut x = Xml::new();
        x.node("PolicyVersion", |x| {
            x.leaf("Document", &url_encoded(&v.document))
                .leaf("VersionId", &v.version_id)
                .flag("IsDefaultVersion", v.is_default)
                .time("CreateDate", v.created_at);
        });
        Ok(Some(x.finish()))
    }

    async fn list_policy_versions(&self) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        let detail = self
            .iam
            .read_policy(&self.actor, &self.account, arn, PolicyRead::ListPolicyVersions)
            .await?;
        let mut x = Xml::new();
        x.members("Versions", &detail.versions, |x, v| {
            x.leaf("VersionId", &v.version_id)
                .flag("IsDefaultVersion", v.is_default)
                .time("CreateDate", v.created_at);
        });
        x.flag("IsTruncated", false);
        Ok(Some(x.finish()))
    }

    async fn delete_policy_version(&self) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        let version = self.params.required("VersionId")?;
        self.iam
            .delete_policy_version(&self.actor, &self.account, arn, version, Source::Api, &self.meta)
            .await?;
        Ok(None)
    }

    async fn set_default_policy_version(&self) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        let version = self.params.required("VersionId")?;
        self.iam
            .set_default_policy_version(&self.actor, &self.account, arn, version, Source::Api, &self.meta)
            .await?;
        Ok(None)
    }

    // ----- attachments -----

    async fn attachment(&self, entity: Entity, attach: bool) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        let (iam, actor, account, meta) = (self.iam, &self.actor, &self.account, &self.meta);
        match (entity, attach) {
            (Entity::User, true) => {
                let user = self.user_name("UserName")?;
                iam.attach_user_policy(actor, account, &user, arn, Source::Api, meta)
                    .await?;
            }
            (Entity::User, false) => {
                let user = self.user_name("UserName")?;
                iam.detach_user_policy(actor, account, &user, arn, Source::Api, meta)
                    .await?;
            }
            (Entity::Group, true) => {
                let group = self.group_name()?;
                iam.attach_group_policy(actor, account, &group, arn, Source::Api, meta)
                    .await?;
            }
            (Entity::Group, false) => {
                let group = self.group_name()?;
                iam.detach_group_policy(actor, account, &group, arn, Source::Api, meta)
                    .await?;
            }
        }
        Ok(None)
    }

    async fn list_attached(&self, entity: Entity) -> Reply {
        let (kind, name) = self.entity_named(entity)?;
        let attached = self
            .iam
            .attached_policies(&self.actor, &self.account, kind, &name)
            .await?;
        let (marker, max) = self.params.page()?;
        let (page, next) = paginate(attached, marker, max as usize, |p| p.arn.clone());
        let mut x = Xml::new();
        x.members("AttachedPolicies", &page, |x, p| {
            x.leaf("PolicyName", &p.name).leaf("PolicyArn", &p.arn);
        });
        x.page(next.as_deref());
        Ok(Some(x.finish()))
    }

    async fn list_entities_for_policy(&self) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        let detail = self
            .iam
            .read_policy(&self.actor, &self.account, arn, PolicyRead::ListEntitiesForPolicy)
            .await?;
        let filter = self.params.get("EntityFilter");
        let want = |kind: &str| {
            filter.is_none_or(|f| f == kind || f == "LocalManagedPolicy" || f == "AWSManagedPolicy")
        };
        let mut x = Xml::new();
        let groups: &[gatehouse_iam::EntityRef] = if want("Group") { &detail.groups } else { &[] };
        let users: &[gatehouse_iam::EntityRef] = if want("User") { &detail.users } else { &[] };
        x.members("PolicyGroups", groups, |x, g| {
            x.leaf("GroupName", &g.name);
        });
        x.members("PolicyUsers", users, |x, u| {
            x.leaf("UserName", &u.name);
        });
        x.members("PolicyRoles", std::iter::empty::<()>(), |_, ()| {});
        x.flag("IsTruncated", false);
        Ok(Some(x.finish()))
    }

    // ----- inline policies -----

    fn policy_name(&self) -> Result<PolicyName, ApiError> {
        Ok(PolicyName::try_from(self.params.required("PolicyName")?)?)
    }

    async fn put_inline(&self, entity: Entity) -> Reply {
        let name = self.policy_name()?;
        let document = self.params.required("PolicyDocument")?;
        match entity {
            Entity::User => {
                let user = self.user_name("UserName")?;
                self.iam
                    .put_user_policy(
                        &self.actor,
                        &self.account,
                        &user,
                        &name,
                        document,
                        Source::Api,
                        &self.meta,
                    )
                    .await?;
            }
            Entity::Group => {
                let group = self.group_name()?;
                self.iam
                    .put_group_policy(
                        &self.actor,
                        &self.account,
                        &group,
                        &name,
                        document,
                        Source::Api,
                        &self.meta,
                    )
                    .await?;
            }
        }
        Ok(None)
    }

    async fn get_inline(&self, entity: Entity) -> Reply {
        let name = self.policy_name()?;
        let mut x = Xml::new();
        let document = match entity {
            Entity::User => {
                let user = self.user_name("UserName")?;
                let doc = self
                    .iam
                    .get_user_policy(&self.actor, &self.account, &user, &name)
                    .await?;
                x.leaf("UserName", user.as_str());
                doc
            }
            Entity::Group => {
                let group = self.group_name()?;
                let doc = self
                    .iam
                    .get_group_policy(&self.actor, &self.account, &group, &name)
                    .await?;
                x.leaf("GroupName", group.as_str());
                doc
            }
        };
        x.leaf("PolicyName", name.as_str())
            .leaf("PolicyDocument", &url_encoded(&document));
        Ok(Some(x.finish()))
    }

    async fn delete_inline(&self, entity: Entity) -> Reply {
        let name = self.policy_name()?;
        match entity {
            Entity::User => {
                let user = self.user_name("UserName")?;
                self.iam
                    .delete_user_policy(&self.actor, &self.account, &user, &name, Source::Api, &self.meta)
                    .await?;
            }
            Entity::Group => {
                let group = self.group_name()?;
                self.iam
                    .delete_group_policy(&self.actor, &self.account, &group, &name, Source::Api, &self.meta)
                    .await?;
            }
        }
        Ok(None)
    }

    async fn list_inline(&self, entity: Entity) -> Reply {
        let (kind, name) = self.entity_named(entity)?;
        let names = self
            .iam
            .inline_policy_names(&self.actor, &self.account, kind, &name)
            .await?;
        let (marker, max) = self.params.page()?;
        let (page, next) = paginate(names, marker, max as usize, Clone::clone);
        let mut x = Xml::new();
        x.members("PolicyNames", &page, |x, n| {
            // A list of strings: the member element holds the name itself.
            x.raw(&super::wire::escape(n));
        });
        x.page(next.as_deref());
        Ok(Some(x.finish()))
    }

    // ----- boundaries -----

    async fn put_boundary(&self) -> Reply {
        let user = self.user_name("UserName")?;
        let arn = self.params.required("PermissionsBoundary")?;
        self.iam
            .put_user_boundary(&self.actor, &self.account, &user, arn, Source::Api, &self.meta)
            .await?;
        Ok(None)
    }

    async fn delete_boundary(&self) -> Reply {
        let user = self.user_name("UserName")?;
        self.iam
            .delete_user_boundary(&self.actor, &self.account, &user, Source::Api, &self.meta)
            .await?;
        Ok(None)
    }

    // ----- login profiles -----

    async fn login_profile(&self, create: bool) -> Reply {
        let user = self.user_name("UserName")?;
        let password = self.params.required("Password")?;
        let profile = NewLoginProfile {
            password: password.to_owned().into(),
            password_reset_required: self.params.flag("PasswordResetRequired", false)?,
        };
        if create {
            self.iam
                .create_login_profile(&self.actor, &self.account, &user, &profile, &self.meta)
                .await?;
            let mut x = Xml::new();
            x.node("LoginProfile", |x| {
                x.leaf("UserName", user.as_str())
                    .time("CreateDate", self.iam.now())
                    .flag("PasswordResetRequired", profile.password_reset_required);
            });
            Ok(Some(x.finish()))
        } else {
            self.iam
                .reset_login_profile(&self.actor, &self.account, &user, &profile, &self.meta)
                .await?;
            Ok(None)
        }
    }

    async fn get_login_profile(&self) -> Reply {
        let user = self.user_name("UserName")?;
        let (created, reset) = self.iam.login_profile(&self.actor, &self.account, &user).await?;
        let mut x = Xml::new();
        x.node("LoginProfile", |x| {
            x.leaf("UserName", user.as_str())
                .time("CreateDate", created)
                .flag("PasswordResetRequired", reset);
        });
        Ok(Some(x.finish()))
    }

    async fn delete_login_profile(&self) -> Reply {
        let user = self.user_name("UserName")?;
        self.iam
            .delete_login_profile(&self.actor, &self.account, &user, &self.meta)
            .await?;
        Ok(None)
    }

    // ----- access keys -----

    async fn create_access_key(&self) -> Reply {
        let owner = self.owner_name()?;
        let key = self
            .iam
            .create_access_key(&self.actor, &self.account, as_owner(owner.as_ref()), &self.meta)
            .await?;
        let mut x = Xml::new();
        x.node("AccessKey", |x| {
            use secrecy::ExposeSecret as _;
            if let Some(name) = &owner {
                x.leaf("UserName", name.as_str());
            }
            x.leaf("AccessKeyId", key.access_key_id.as_str())
                .leaf("Status", "Active")
                .leaf("SecretAccessKey", key.secret_access_key.expose_secret())
                .time("CreateDate", key.created_at);
        });
        Ok(Some(x.finish()))
    }

    async fn list_access_keys(&self) -> Reply {
        let owner = self.owner_name()?;
        let keys = self
            .iam
            .list_access_keys(&self.actor, &self.account, as_owner(owner.as_ref()))
            .await?;
        let mut x = Xml::new();
        x.members("AccessKeyMetadata", &keys, |x, k| {
            if let Some(name) = &owner {
                x.leaf("UserName", name.as_str());
            }
            x.leaf("AccessKeyId", k.access_key_id.as_str())
                .leaf("Status", k.status.as_str())
                .time("CreateDate", k.created_at);
        });
        x.flag("IsTruncated", false);
        Ok(Some(x.finish()))
    }

    fn access_key_id(&self) -> Result<AccessKeyId, ApiError> {
        let id = self.params.required("AccessKeyId")?;
        AccessKeyId::try_from(id).map_err(|_| {
            ApiError::validation(format!(
                "1 validation error detected: Value '{id}' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+"
            ))
        })
    }

    async fn update_access_key(&self) -> Reply {
        let owner = self.owner_name()?;
        let id = self.access_key_id()?;
        let status: AccessKeyStatus = self.params.required("Status")?.parse().map_err(|_| {
            ApiError::validation(
                "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
            )
        })?;
        self.iam
            .update_access_key(
                &self.actor,
                &self.account,
                as_owner(owner.as_ref()),
                &id,
                status,
                &self.meta,
            )
            .await?;
        Ok(None)
    }

    async fn delete_access_key(&self) -> Reply {
        let owner = self.owner_name()?;
        let id = self.access_key_id()?;
        self.iam
            .delete_access_key(
                &self.actor,
                &self.account,
                as_owner(owner.as_ref()),
                &id,
                &self.meta,
            )
            .await?;
        Ok(None)
    }

    async fn get_access_key_last_used(&self) -> Reply {
        let id = self.access_key_id()?;
        let (user, last_used) = self
            .iam
            .access_key_last_used(&self.actor, &self.account, &id)
            .await?;
        let mut x = Xml::new();
        x.leaf("UserName", user.as_deref().unwrap_or("root"));
        x.node("AccessKeyLastUsed", |x| match &last_used {
            Some(u) => {
                x.time("LastUsedDate", u.at)
                    .leaf("ServiceName", &u.service)
                    .leaf("Region", &u.region);
            }
            None => {
                x.leaf("ServiceName", "N/A").leaf("Region", "N/A");
            }
        });
        Ok(Some(x.finish()))
    }

    // ----- account -----

    async fn get_account_authorization_details(&self) -> Reply {
        let filter = details_filter(&self.params.list("Filter"))?;
        let (marker, max) = self.params.page()?;
        let after = marker
            .map(gatehouse_iam::DetailsCursor::from_marker)
            .transpose()?;
        let details = self
            .iam
            .authorization_details(&self.actor, &self.account, filter, after.as_ref(), max)
            .await?;
        let mut x = Xml::new();
        x.members("UserDetailList", &details.users, |x, u| {
            user_head_xml(x, &u.path, &u.name, &u.user_id, &u.arn, u.created_at);
            inline_list_xml(x, "UserPolicyList", &u.inline);
            x.members("GroupList", &u.groups, |x, g| {
                x.raw(&super::wire::escape(g));
            });
            attached_list_xml(x, &u.attached);
            if let Some(arn) = &u.boundary_arn {
                x.node("PermissionsBoundary", |x| {
                    x.leaf("PermissionsBoundaryType", "PermissionsBoundaryPolicy")
                        .leaf("PermissionsBoundaryArn", arn);
                });
            }
            x.members("Tags", &u.tags, |x, t| {
                x.leaf("Key", &t.key).leaf("Value", &t.value);
            });
        });
        x.members("GroupDetailList", &details.groups, |x, g| {
            x.leaf("Path", &g.path)
                .leaf("GroupName", &g.name)
                .leaf("GroupId", &g.group_id)
                .leaf("Arn", &g.arn)
                .time("CreateDate", g.created_at);
            inline_list_xml(x, "GroupPolicyList", &g.inline);
            attached_list_xml(x, &g.attached);
        });
        x.members("RoleDetailList", std::iter::empty::<()>(), |_, ()| {});
        x.members("Policies", &details.policies, |x, p| {
            x.leaf("PolicyName", &p.name)
                .leaf("PolicyId", &p.policy_id)
                .leaf("Arn", &p.arn)
                .leaf("Path", &p.path)
                .leaf("DefaultVersionId", &p.default_version)
                .number("AttachmentCount", p.attachments)
                .number("PermissionsBoundaryUsageCount", p.boundary_uses)
                .flag("IsAttachable", true);
            if !p.description.is_empty() {
                x.leaf("Description", &p.description);
            }
            x.time("CreateDate", p.created_at)
                .time("UpdateDate", p.updated_at);
            x.members("PolicyVersionList", &p.versions, |x, v| {
                x.leaf("Document", &url_encoded(&v.document))
                    .leaf("VersionId", &v.version_id)
                    .flag("IsDefaultVersion", v.is_default)
                    .time("CreateDate", v.created_at);
            });
        });
        let next = details.next.as_ref().map(gatehouse_iam::DetailsCursor::to_marker);
        x.page(next.as_deref());
        Ok(Some(x.finish()))
    }

    async fn get_account_summary(&self) -> Reply {
        let s = self.iam.account_summary(&self.actor, &self.account).await?;
        let q = self.iam.quotas();
        let entries: [(&str, i64); 10] = [
            ("Users", s.users),
            ("Groups", s.groups),
            ("Policies", s.customer_policies),
            ("AccountMFAEnabled", i64::from(s.root_has_mfa)),
            ("GroupsPerUserQuota", i64::from(q.groups_per_user)),
            ("AttachedPoliciesPerUserQuota", i64::from(q.policies_per_user)),
            ("AttachedPoliciesPerGroupQuota", i64::from(q.policies_per_group)),
            ("PolicyVersionsInUseQuota", i64::from(q.versions_per_policy)),
            (
                "AccessKeysPerUserQuota",
                i64::from(gatehouse_iam::MAX_ACCESS_KEYS),
            ),
            ("UserPolicySizeQuota", q.user_inline_size as i64),
        ];
        let mut x = Xml::new();
        x.node("SummaryMap", |x| {
            for (key, value) in entries {
                x.node("entry", |x| {
                    x.leaf("key", key).number("value", value);
                });
            }
        });
        Ok(Some(x.finish()))
    }

    async fn create_account_alias(&self) -> Reply {
        let alias = AccountAlias::try_from(self.params.required("AccountAlias")?.to_owned())?;
        self.iam
            .set_account_alias(&self.actor, &self.account, &alias, &self.meta)
            .await?;
        Ok(None)
    }

    async fn delete_account_alias(&self) -> Reply {
        let alias = AccountAlias::try_from(self.params.required("AccountAlias")?.to_owned())?;
        let current = self.iam.account_aliases(&self.actor, &self.account).await?;
        if !current.contains(&alias) {
            return Err(ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "NoSuchEntity",
                format!("The account alias {alias} cannot be found."),
            ));
        }
        self.iam
            .delete_account_alias(&self.actor, &self.account, &self.meta)
            .await?;
        Ok(None)
    }

    async fn list_account_aliases(&self) -> Reply {
        let alias = self.iam.account_aliases(&self.actor, &self.account).await?;
        let mut x = Xml::new();
        x.members("AccountAliases", alias.iter(), |x, a| {
            x.raw(&super::wire::escape(a.as_str()));
        });
        x.flag("IsTruncated", false);
        Ok(Some(x.finish()))
    }

    async fn get_password_policy(&self) -> Reply {
        let p = self.iam.get_password_policy(&self.actor, &self.account).await?;
        let mut x = Xml::new();
        x.node("PasswordPolicy", |x| {
            x.number("MinimumPasswordLength", p.minimum_length)
                .flag("RequireSymbols", p.require_symbols)
                .flag("RequireNumbers", p.require_numbers)
                .flag("RequireUppercaseCharacters", p.require_uppercase)
                .flag("RequireLowercaseCharacters", p.require_lowercase)
                .flag("AllowUsersToChangePassword", p.allow_users_to_change_password)
                .flag("ExpirePasswords", p.max_password_age.is_some());
            if let Some(age) = p.max_password_age {
                x.number("MaxPasswordAge", age);
            }
            if let Some(reuse) = p.password_reuse_prevention {
                x.number("PasswordReusePrevention", reuse);
            }
            x.flag("HardExpiry", p.hard_expiry);
        });
        Ok(Some(x.finish()))
    }

    /// UpdateAccountPasswordPolicy: as in AWS, a parameter left out takes its default value
    /// (the lockout settings, which AWS lacks, keep theirs).
    async fn update_password_policy(&self) -> Reply {
        let current = self.iam.get_password_policy(&self.actor, &self.account).await?;
        let defaults = gatehouse_iam::PasswordPolicy::default();
        let number = |name: &str| -> Result<Option<u32>, ApiError> {
            self.params
                .get(name)
                .map(|v| {
                    v.parse::<u32>().map_err(|_| {
                        ApiError::validation(format!(
                            "1 validation error detected: Value '{v}' at '{}' failed to satisfy constraint: Member must be a whole number",
                            name
                        ))
                    })
                })
                .transpose()
        };
        let policy = gatehouse_iam::PasswordPolicy {
            minimum_length: number("MinimumPasswordLength")?.unwrap_or(defaults.minimum_length),
            require_symbols: self.params.flag("RequireSymbols", false)?,
            require_numbers: self.params.flag("RequireNumbers", false)?,
            require_uppercase: self.params.flag("RequireUppercaseCharacters", false)?,
            require_lowercase: self.params.flag("RequireLowercaseCharacters", false)?,
            allow_users_to_change_password: self.params.flag("AllowUsersToChangePassword", false)?,
            max_password_age: number("MaxPasswordAge")?.filter(|d| *d > 0),
            password_reuse_prevention: number("PasswordReusePrevention")?.filter(|n| *n > 0),
            hard_expiry: self.params.flag("HardExpiry", false)?,
            lockout_threshold: current.lockout_threshold,
            lockout_minutes: current.lockout_minutes,
        };
        self.iam
            .update_password_policy(&self.actor, &self.account, &policy, &self.meta)
            .await?;
        Ok(None)
    }

    async fn delete_password_policy(&self) -> Reply {
        self.iam
            .delete_password_policy(&self.actor, &self.account, &self.meta)
            .await?;
        Ok(None)
    }

    async fn generate_credential_report(&self) -> Reply {
        self.iam
            .generate_credential_report(&self.actor, &self.account)
            .await?;
        // Generated on the spot (or reused while under four hours old): always complete.
        let mut x = Xml::new();
        x.leaf("State", "COMPLETE")
            .leaf("Description", "The credential report is ready.");
        Ok(Some(x.finish()))
    }

    async fn get_credential_report(&self) -> Reply {
        use base64::Engine as _;
        let report = self.iam.get_credential_report(&self.actor, &self.account).await?;
        let mut x = Xml::new();
        x.leaf(
            "Content",
            &base64::engine::general_purpose::STANDARD.encode(report.csv.as_bytes()),
        )
        .leaf("ReportFormat", "text/csv")
        .time("GeneratedTime", report.generated_at);
        Ok(Some(x.finish()))
    }

    async fn list_mfa_devices(&self) -> Reply {
        let owner = self.owner_name()?;
        let devices = self
            .iam
            .list_mfa_devices(&self.actor, &self.account, as_owner(owner.as_ref()))
            .await?;
        let mut x = Xml::new();
        x.members("MFADevices", &devices, |x, d| {
            if let Some(name) = &owner {
                x.leaf("UserName", name.as_str());
            }
            x.leaf("SerialNumber", &d.serial_number)
                .time("EnableDate", d.enabled_at);
        });
        x.flag("IsTruncated", false);
        Ok(Some(x.finish()))
    }

    /// CreateVirtualMFADevice: the device is made for the caller, unassigned; EnableMFADevice
    /// assigns it to whichever user proves its codes, as in AWS. The seed comes back as
    /// `Base32StringSeed` and as the QR code image `QRCodePNG`.
    async fn create_virtual_mfa_device(&self) -> Reply {
        use base64::Engine as _;
        use secrecy::ExposeSecret as _;
        let name = self.params.required("VirtualMFADeviceName")?;
        let caller = match &self.actor {
            Actor::Principal(p) => match &p.kind {
                PrincipalKind::User { user_name, .. } => Some(user_name.clone()),
                PrincipalKind::Root { .. } => None,
            },
            _ => None,
        };
        let device = self
            .iam
            .create_virtual_mfa_device(
                &self.actor,
                &self.account,
                as_owner(caller.as_ref()),
                name,
                &self.meta,
            )
            .await?;
        let png = super::qr_png::qr_png(device.otpauth_uri.expose_secret())
            .map_err(|e| ApiError::from(gatehouse_iam::Error::Internal(e.into())))?;
        let b64 = &base64::engine::general_purpose::STANDARD;
        let mut x = Xml::new();
        x.node("VirtualMFADevice", |x| {
            x.leaf("SerialNumber", &device.serial_number)
                .leaf(
                    "Base32StringSeed",
                    &b64.encode(device.secret_key.expose_secret().as_bytes()),
                )
                .leaf("QRCodePNG", &b64.encode(png));
        });
        Ok(Some(x.finish()))
    }

    async fn mfa_codes(&self, enable: bool) -> Reply {
        let owner = self.owner_name()?;
        let serial = self.params.required("SerialNumber")?;
        let codes = gatehouse_iam::TwoCodes {
            code1: self.params.required("AuthenticationCode1")?,
            code2: self.params.required("AuthenticationCode2")?,
        };
        if enable {
            self.iam
                .enable_mfa_device(
                    &self.actor,
                    &self.account,
                    as_owner(owner.as_ref()),
                    serial,
                    codes,
                    &self.meta,
                )
                .await?;
        } else {
            self.iam
                .resync_mfa_device(
                    &self.actor,
                    &self.account,
                    as_owner(owner.as_ref()),
                    serial,
                    codes,
                    &self.meta,
                )
                .await?;
        }
        Ok(None)
    }

    async fn deactivate_mfa_device(&self) -> Reply {
        let owner = self.owner_name()?;
        let serial = self.params.required("SerialNumber")?;
        self.iam
            .deactivate_mfa_device(
                &self.actor,
                &self.account,
                as_owner(owner.as_ref()),
                serial,
                &self.meta,
            )
            .await?;
        Ok(None)
    }

    async fn delete_virtual_mfa_device(&self) -> Reply {
        let serial = self.params.required("SerialNumber")?;
        self.iam
            .delete_virtual_mfa_device(&self.actor, &self.account, serial, &self.meta)
            .await?;
        Ok(None)
    }

    async fn change_password(&self) -> Reply {
        let old = self.params.required("OldPassword")?;
        let new = self.params.required("NewPassword")?;
        let change = gatehouse_iam::PasswordChange {
            old: old.to_owned().into(),
            new: new.to_owned().into(),
            retyped: new.to_owned().into(),
        };
        self.iam
            .change_password_by_key(&self.actor, &change, &self.meta)
            .await?;
        Ok(None)
    }

    // ----- simulation -----

    async fn simulate_principal_policy(&self) -> Reply {
        let source = self.params.required("PolicySourceArn")?;
        let user = user_from_arn(source, &self.account)?;
        let (actions, resources, context) = self.simulation_inputs()?;
        let mut results = Vec::new();
        for resource in &resources {
            results.extend(
                self.iam
                    .simulate_user(&self.actor, &self.account, &user, &actions, resource, &context)
                    .await?,
            );
        }
        Ok(Some(simulation_xml(&results)))
    }

    async fn simulate_custom_policy(&self) -> Reply {
        let policies: Vec<String> = self
            .params
            .list("PolicyInputList")
            .into_iter()
            .map(str::to_owned)
            .collect();
        let boundaries: Vec<String> = self
            .params
            .list("PermissionsBoundaryPolicyInputList")
            .into_iter()
            .map(str::to_owned)
            .collect();
        let (actions, resources, context) = self.simulation_inputs()?;
        let mut results = Vec::new();
        for resource in &resources {
            results.extend(
                self.iam
                    .simulate_custom(
                        &self.actor,
                        &self.account,
                        &policies,
                        &boundaries,
                        &actions,
                        resource,
                        &context,
                    )
                    .await?,
            );
        }
        Ok(Some(simulation_xml(&results)))
    }

    /// ActionNames, ResourceArns (default `*`) and ContextEntries of a simulation.
    #[allow(clippy::type_complexity)]
    fn simulation_inputs(&self) -> Result<(Vec<String>, Vec<&str>, Vec<(String, String)>), ApiError> {
        let actions: Vec<String> = self
            .params
            .list("ActionNames")
            .into_iter()
            .map(str::to_owned)
            .collect();
        let resources = self.params.list("ResourceArns");
        let resources = if resources.is_empty() {
            vec!["*"]
        } else {
            resources
        };
        let mut context = Vec::new();
        for i in 1.. {
            let Some(key) = self
                .params
                .get(&format!("ContextEntries.member.{i}.ContextKeyName"))
            else {
                break;
            };
            for v in self
                .params
                .list(&format!("ContextEntries.member.{i}.ContextKeyValues"))
            {
                context.push((key.to_owned(), v.to_owned()));
            }
        }
        Ok((actions, resources, context))
    }

    async fn update_group(&self) -> Reply {
        let group = self.group_name()?;
        let new_name = match self.params.get("NewGroupName") {
            Some(n) => GroupName::try_from(n)?,
            None => group.clone(),
        };
        let new_path = self.params.get("NewPath").map(IamPath::try_from).transpose()?;
        self.iam
            .rename_group(
                &self.actor,
                &self.account,
                &group,
                &new_name,
                new_path.as_ref(),
                Source::Api,
                &self.meta,
            )
            .await?;
        Ok(None)
    }

    async fn tag_policy(&self, tag: bool) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        if tag {
            let tags = self.tags()?;
            self.iam
                .tag_policy(&self.actor, &self.account, arn, &tags, Source::Api, &self.meta)
                .await?;
        } else {
            let keys: Vec<String> = self
                .params
                .list("TagKeys")
                .into_iter()
                .map(str::to_owned)
                .collect();
            self.iam
                .untag_policy(&self.actor, &self.account, arn, &keys, Source::Api, &self.meta)
                .await?;
        }
        Ok(None)
    }

    async fn list_policy_tags(&self) -> Reply {
        let arn = self.params.required("PolicyArn")?;
        let detail = self
            .iam
            .read_policy(&self.actor, &self.account, arn, PolicyRead::ListPolicyTags)
            .await?;
        let mut x = Xml::new();
        x.members("Tags", &detail.tags, |x, t| {
            x.leaf("Key", &t.key).leaf("Value", &t.value);
        });
        x.flag("IsTruncated", false);
        Ok(Some(x.finish()))
    }
}

/// The EvaluationResults of a simulation.
fn simulation_xml(results: &[gatehouse_iam::Simulation]) -> String {
    let mut x = Xml::new();
    x.members("EvaluationResults", results, |x, r| {
        let e = &r.explanation;
        x.leaf("EvalActionName", &r.action)
            .leaf("EvalResourceName", &r.resource)
            .leaf("EvalDecision", e.decision.as_str());
        x.members("MatchedStatements", &e.matched, |x, m| {
            x.leaf("SourcePolicyId", &m.policy.name)
                .leaf("SourcePolicyType", "IAM Policy");
        });
        x.members("MissingContextValues", &e.missing_context_keys, |x, k| {
            x.raw(&super::wire::escape(k));
        });
    });
    x.flag("IsTruncated", false);
    x.finish()
}

/// The user an ARN of this account names (`arn:…:iam::<account>:user[/path/]<name>`).
fn user_from_arn(arn: &str, account: &AccountId) -> Result<UserName, ApiError> {
    let invalid = || {
        ApiError::invalid_input(format!(
            "Invalid ARN: {arn} is not the ARN of a user in account {account}."
        ))
    };
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("iam"), Some(""), Some(acct), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(invalid());
    };
    if acct != account.as_str() {
        return Err(invalid());
    }
    let name = resource.strip_prefix("user/").ok_or_else(invalid)?;
    let name = name.rsplit('/').next().unwrap_or(name);
    UserName::try_from(name).map_err(|_| invalid())
}

fn as_owner(name: Option<&UserName>) -> CredentialOwner<'_> {
    match name {
        Some(name) => CredentialOwner::User(name),
        None => CredentialOwner::Root,
    }
}

/// Items after the marker (the key of the last item of the previous page), at most `max`, and
/// the marker of the next page if any.
/// GetAccountAuthorizationDetails' `Filter`: the kinds asked for, all of them when none is.
fn details_filter(values: &[&str]) -> Result<gatehouse_iam::DetailsFilter, ApiError> {
    let mut filter = gatehouse_iam::DetailsFilter::NONE;
    for value in values {
        match *value {
            "User" => filter.users = true,
            "Group" => filter.groups = true,
            "LocalManagedPolicy" => filter.local_policies = true,
            "AWSManagedPolicy" => filter.system_policies = true,
            // Gatehouse has no roles: asking for them gives an empty RoleDetailList.
            "Role" => {}
            other => {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '[{other}]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]]"
                )))
            }
        }
    }
    Ok(if values.is_empty() {
        gatehouse_iam::DetailsFilter::ALL
    } else {
        filter
    })
}

fn inline_list_xml(x: &mut Xml, tag: &str, policies: &[gatehouse_iam::InlinePolicy]) {
    x.members(tag, policies, |x, p| {
        x.leaf("PolicyName", &p.name)
            .leaf("PolicyDocument", &url_encoded(&p.document));
    });
}

fn attached_list_xml(x: &mut Xml, policies: &[gatehouse_iam::PolicyRef]) {
    x.members("AttachedManagedPolicies", policies, |x, p| {
        x.leaf("PolicyName", &p.name).leaf("PolicyArn", &p.arn);
    });
}

fn paginate<T>(
    items: Vec<T>,
    marker: Option<&str>,
    max: usize,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let mut rest: Vec<T> = match marker {
        Some(m) => items.into_iter().filter(|i| key(i).as_str() > m).collect(),
        None => items,
    };
    let next = (rest.len() > max).then(|| rest.get(max - 1).map(&key)).flatten();
    rest.truncate(max);
    (rest, next)
}

/// What every AWS description of a user starts with.
fn user_head_xml(x: &mut Xml, path: &str, name: &str, id: &str, arn: &str, created: time::OffsetDateTime) {
    x.leaf("Path", path)
        .leaf("UserName", name)
        .leaf("UserId", id)
        .leaf("Arn", arn)
        .time("CreateDate", created);
}

fn user_xml(x: &mut Xml, u: &gatehouse_iam::ApiUser) {
    user_head_xml(x, &u.path, &u.name, &u.user_id, &u.arn, u.created_at);
    if let Some(at) = u.password_last_used {
        x.time("PasswordLastUsed", at);
    }
    if let Some(arn) = &u.boundary_arn {
        x.node("PermissionsBoundary", |x| {
            x.leaf("PermissionsBoundaryType", "PermissionsBoundaryPolicy")
                .leaf("PermissionsBoundaryArn", arn);
        });
    }
    if !u.tags.is_empty() {
        x.members("Tags", &u.tags, |x, t| {
            x.leaf("Key", &t.key).leaf("Value", &t.value);
        });
    }
}

fn group_xml(x: &mut Xml, path: &str, name: &str, id: &str, arn: &str, created: time::OffsetDateTime) {
    x.leaf("Path", path)
        .leaf("GroupName", name)
        .leaf("GroupId", id)
        .leaf("Arn", arn)
        .time("CreateDate", created);
}

fn policy_xml(x: &mut Xml, p: &gatehouse_iam::PolicyDetail) {
    let attachments = p.users.len() + p.groups.len();
    x.leaf("PolicyName", &p.name)
        .leaf("PolicyId", &p.policy_id)
        .leaf("Arn", &p.arn)
        .leaf("Path", &p.path)
        .leaf("DefaultVersionId", &p.default_version)
        .number("AttachmentCount", attachments)
        .number("PermissionsBoundaryUsageCount", p.boundary_uses)
        .flag("IsAttachable", true);
    if !p.description.is_empty() {
        x.leaf("Description", &p.description);
    }
    x.time("CreateDate", p.created_at).time(
        "UpdateDate",
        p.versions
            .iter()
            .map(|v| v.created_at)
            .max()
            .unwrap_or(p.created_at),
    );
    if !p.tags.is_empty() {
        x.members("Tags", &p.tags, |x, t| {
            x.leaf("Key", &t.key).leaf("Value", &t.value);
        });
    }
}
