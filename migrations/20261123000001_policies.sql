-- Groups, managed and inline policies, attachments and permissions boundaries: what the policy
-- engine evaluates for every request. System (AWS managed) policies have no account and are
-- read-only; customer managed policies belong to an account.

create table managed_policies (
    policy_id       text primary key check (policy_id ~ '^ANPA[A-Z2-7]{17}$'),
    -- null for system policies (ARN arn:<partition>:iam::aws:policy/<name>)
    account_id      text references accounts (account_id) on delete cascade,
    policy_name     text not null check (policy_name ~ '^[A-Za-z0-9+=,.@_-]{1,128}$'),
    path            text not null default '/' check (length(path) between 1 and 512),
    description     text not null default '' check (length(description) <= 1000),
    default_version text not null check (default_version ~ '^v[1-9][0-9]*$'),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now()
);
create unique index managed_policies_name_key on managed_policies (coalesce(account_id, 'aws'), lower(policy_name));

-- At most five versions a policy (enforced by the service); exactly one is the default.
create table policy_versions (
    policy_id   text not null references managed_policies (policy_id) on delete cascade,
    version_id  text not null check (version_id ~ '^v[1-9][0-9]*$'),
    document    text not null,
    created_at  timestamptz not null default now(),
    primary key (policy_id, version_id)
);

create table iam_groups (
    group_id    text primary key check (group_id ~ '^AGPA[A-Z2-7]{17}$'),
    account_id  text not null references accounts (account_id) on delete cascade,
    group_name  text not null check (group_name ~ '^[A-Za-z0-9+=,.@_-]{1,128}$'),
    path        text not null default '/' check (length(path) between 1 and 512),
    created_at  timestamptz not null default now()
);
create unique index iam_groups_name_key on iam_groups (account_id, lower(group_name));

create table group_members (
    group_id    text not null references iam_groups (group_id) on delete cascade,
    user_id     text not null references iam_users (user_id) on delete cascade,
    added_at    timestamptz not null default now(),
    primary key (group_id, user_id)
);
create index group_members_user_idx on group_members (user_id);

-- A policy cannot be deleted while attached (as in AWS): the references restrict.
create table user_policy_attachments (
    user_id     text not null references iam_users (user_id) on delete cascade,
    policy_id   text not null references managed_policies (policy_id),
    attached_at timestamptz not null default now(),
    primary key (user_id, policy_id)
);
create index user_policy_attachments_policy_idx on user_policy_attachments (policy_id);

create table group_policy_attachments (
    group_id    text not null references iam_groups (group_id) on delete cascade,
    policy_id   text not null references managed_policies (policy_id),
    attached_at timestamptz not null default now(),
    primary key (group_id, policy_id)
);
create index group_policy_attachments_policy_idx on group_policy_attachments (policy_id);

-- Inline policies live and die with their user or group; names are unique within it.
create table user_inline_policies (
    user_id     text not null references iam_users (user_id) on delete cascade,
    policy_name text not null check (policy_name ~ '^[A-Za-z0-9+=,.@_-]{1,128}$'),
    document    text not null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (user_id, policy_name)
);

create table group_inline_policies (
    group_id    text not null references iam_groups (group_id) on delete cascade,
    policy_name text not null check (policy_name ~ '^[A-Za-z0-9+=,.@_-]{1,128}$'),
    document    text not null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (group_id, policy_name)
);

-- The permissions boundary of a user: one managed policy.
alter table iam_users add column permissions_boundary text references managed_policies (policy_id);

-- The system policies, with AWS's published documents and AWS's current version IDs.

insert into managed_policies (policy_id, account_id, policy_name, description, default_version)
    values ('ANPAGATEHOUSEADMINACC', null, 'AdministratorAccess', $desc$Provides full access to AWS services and resources.$desc$, 'v1');

insert into policy_versions (policy_id, version_id, document) values ('ANPAGATEHOUSEADMINACC', 'v1', $doc${
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*"
        }
    ]
}$doc$);

insert into managed_policies (policy_id, account_id, policy_name, description, default_version)
    values ('ANPAGATEHOUSEIAMFULLA', null, 'IAMFullAccess', $desc$Provides full access to IAM via the AWS Management Console.$desc$, 'v2');

insert into policy_versions (policy_id, version_id, document) values ('ANPAGATEHOUSEIAMFULLA', 'v2', $doc${
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": [
                "iam:*",
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:DescribeOrganizationalUnit",
                "organizations:DescribePolicy",
                "organizations:ListChildren",
                "organizations:ListParents",
                "organizations:ListPoliciesForTarget",
                "organizations:ListRoots",
                "organizations:ListPolicies",
                "organizations:ListTargetsForPolicy"
            ],
            "Effect": "Allow",
            "Resource": "*"
        }
    ]
}$doc$);

insert into managed_policies (policy_id, account_id, policy_name, description, default_version)
    values ('ANPAGATEHOUSEIAMREADO', null, 'IAMReadOnlyAccess', $desc$Provides read only access to IAM via the AWS Management Console.$desc$, 'v4');

insert into policy_versions (policy_id, version_id, document) values ('ANPAGATEHOUSEIAMREADO', 'v4', $doc${
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": [
                "iam:GenerateCredentialReport",
                "iam:GenerateServiceLastAccessedDetails",
                "iam:Get*",
                "iam:List*",
                "iam:SimulateCustomPolicy",
                "iam:SimulatePrincipalPolicy"
            ],
            "Effect": "Allow",
            "Resource": "*"
        }
    ]
}$doc$);

insert into managed_policies (policy_id, account_id, policy_name, description, default_version)
    values ('ANPAGATEHOUSEIAMCHPWD', null, 'IAMUserChangePassword', $desc$Provides the ability for an IAM user to change their own password.$desc$, 'v5');

insert into policy_versions (policy_id, version_id, document) values ('ANPAGATEHOUSEIAMCHPWD', 'v5', $doc${
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": [
                "iam:ChangePassword"
            ],
            "Effect": "Allow",
            "Resource": [
                "arn:aws:iam::*:user/${aws:username}",
                "arn:aws:iam::*:user/*/${aws:username}"
            ]
        },
        {
            "Action": [
                "iam:GetAccountPasswordPolicy"
            ],
            "Effect": "Allow",
            "Resource": "*"
        }
    ]
}$doc$);

insert into managed_policies (policy_id, account_id, policy_name, description, default_version)
    values ('ANPAGATEHOUSESELFMFAA', null, 'IAMSelfManageCredentialsWithMFA', $desc$Lets IAM users manage their own password, access keys and MFA devices, and denies everything else until they sign in with MFA (the AWS IAM User Guide example policy).$desc$, 'v1');

insert into policy_versions (policy_id, version_id, document) values ('ANPAGATEHOUSESELFMFAA', 'v1', $doc${
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowViewAccountInfo",
            "Effect": "Allow",
            "Action": [
                "iam:GetAccountPasswordPolicy",
                "iam:ListVirtualMFADevices"
            ],
            "Resource": "*"
        },
        {
            "Sid": "AllowManageOwnPasswords",
            "Effect": "Allow",
            "Action": [
                "iam:ChangePassword",
                "iam:GetUser"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnAccessKeys",
            "Effect": "Allow",
            "Action": [
                "iam:CreateAccessKey",
                "iam:DeleteAccessKey",
                "iam:ListAccessKeys",
                "iam:UpdateAccessKey",
                "iam:GetAccessKeyLastUsed"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnSigningCertificates",
            "Effect": "Allow",
            "Action": [
                "iam:DeleteSigningCertificate",
                "iam:ListSigningCertificates",
                "iam:UpdateSigningCertificate",
                "iam:UploadSigningCertificate"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnSSHPublicKeys",
            "Effect": "Allow",
            "Action": [
                "iam:DeleteSSHPublicKey",
                "iam:GetSSHPublicKey",
                "iam:ListSSHPublicKeys",
                "iam:UpdateSSHPublicKey",
                "iam:UploadSSHPublicKey"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnGitCredentials",
            "Effect": "Allow",
            "Action": [
                "iam:CreateServiceSpecificCredential",
                "iam:DeleteServiceSpecificCredential",
                "iam:ListServiceSpecificCredentials",
                "iam:ResetServiceSpecificCredential",
                "iam:UpdateServiceSpecificCredential"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnVirtualMFADevice",
            "Effect": "Allow",
            "Action": [
                "iam:CreateVirtualMFADevice"
            ],
            "Resource": "arn:aws:iam::*:mfa/*"
        },
        {
            "Sid": "AllowManageOwnUserMFA",
            "Effect": "Allow",
            "Action": [
                "iam:DeactivateMFADevice",
                "iam:EnableMFADevice",
                "iam:ListMFADevices",
                "iam:ResyncMFADevice"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "DenyAllExceptListedIfNoMFA",
            "Effect": "Deny",
            "NotAction": [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:GetUser",
                "iam:GetMFADevice",
                "iam:ListMFADevices",
                "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice",
                "sts:GetSessionToken"
            ],
            "Resource": "*",
            "Condition": {
                "BoolIfExists": {
                    "aws:MultiFactorAuthPresent": "false"
                }
            }
        }
    ]
}$doc$);
