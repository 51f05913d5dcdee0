//! The catalog of `iam` and `sts` actions with their access levels (List, Read, Write,
//! Permissions management, Tagging), as the AWS Service Authorization Reference lists them. The
//! validator uses it to flag unknown action names; the console uses it for per-service summaries.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "List",
            Self::Read => "Read",
            Self::Write => "Write",
            Self::PermissionsManagement => "Permissions management",
            Self::Tagging => "Tagging",
        }
    }
}

/// The services whose every action is catalogued: an action of these services that is not in
/// the catalog does not exist.
pub const CATALOGUED_SERVICES: &[&str] = &["iam", "sts"];

use AccessLevel::{List, PermissionsManagement, Read, Tagging, Write};

/// `iam` actions, sorted by name.
pub const IAM_ACTIONS: &[(&str, AccessLevel)] = &[
    ("AcceptDelegationRequest", Write),
    ("AddClientIDToOpenIDConnectProvider", Write),
    ("AddRoleToInstanceProfile", Write),
    ("AddUserToGroup", Write),
    ("AssociateDelegationRequest", Write),
    ("AttachGroupPolicy", PermissionsManagement),
    ("AttachRolePolicy", PermissionsManagement),
    ("AttachUserPolicy", PermissionsManagement),
    ("ChangePassword", Write),
    ("CreateAccessKey", Write),
    ("CreateAccountAlias", Write),
    ("CreateDelegationRequest", Write),
    ("CreateGroup", Write),
    ("CreateInstanceProfile", Write),
    ("CreateLoginProfile", Write),
    ("CreateOpenIDConnectProvider", Write),
    ("CreatePolicy", PermissionsManagement),
    ("CreatePolicyVersion", PermissionsManagement),
    ("CreateRole", Write),
    ("CreateSAMLProvider", Write),
    ("CreateServiceLinkedRole", Write),
    ("CreateServiceSpecificCredential", Write),
    ("CreateUser", Write),
    ("CreateVirtualMFADevice", Write),
    ("DeactivateMFADevice", Write),
    ("DeleteAccessKey", Write),
    ("DeleteAccountAlias", Write),
    ("DeleteAccountPasswordPolicy", PermissionsManagement),
    ("DeleteCloudFrontPublicKey", Write),
    ("DeleteGroup", Write),
    ("DeleteGroupPolicy", PermissionsManagement),
    ("DeleteInstanceProfile", Write),
    ("DeleteLoginProfile", Write),
    ("DeleteOpenIDConnectProvider", Write),
    ("DeletePolicy", PermissionsManagement),
    ("DeletePolicyVersion", PermissionsManagement),
    ("DeleteRole", Write),
    ("DeleteRolePermissionsBoundary", PermissionsManagement),
    ("DeleteRolePolicy", PermissionsManagement),
    ("DeleteSAMLProvider", Write),
    ("DeleteSSHPublicKey", Write),
    ("DeleteServerCertificate", Write),
    ("DeleteServiceLinkedRole", Write),
    ("DeleteServiceSpecificCredential", Write),
    ("DeleteSigningCertificate", Write),
    ("DeleteUser", Write),
    ("DeleteUserPermissionsBoundary", PermissionsManagement),
    ("DeleteUserPolicy", PermissionsManagement),
    ("DeleteVirtualMFADevice", Write),
    ("DetachGroupPolicy", PermissionsManagement),
    ("DetachRolePolicy", PermissionsManagement),
    ("DetachUserPolicy", PermissionsManagement),
    ("DisableOrganizationsRootCredentialsManagement", Write),
    ("DisableOrganizationsRootSessions", Write),
    ("DisableOutboundWebIdentityFederation", Write),
    ("EnableMFADevice", Write),
    ("EnableOrganizationsRootCredentialsManagement", Write),
    ("EnableOrganizationsRootSessions", Write),
    ("EnableOutboundWebIdentityFederation", Write),
    ("GenerateCredentialReport", Read),
    ("GenerateOrganizationsAccessReport", Read),
    ("GenerateServiceLastAccessedDetails", Read),
    ("GetAccessKeyLastUsed", Read),
    ("GetAccountAuthorizationDetails", Read),
    ("GetAccountEmailAddress", Read),
    ("GetAccountName", Read),
    ("GetAccountPasswordPolicy", Read),
    ("GetAccountProperties", Read),
    ("GetAccountSummary", List),
    ("GetCloudFrontPublicKey", Read),
    ("GetContextKeysForCustomPolicy", Read),
    ("GetContextKeysForPrincipalPolicy", Read),
    ("GetCredentialReport", Read),
    ("GetDelegationRequest", Read),
    ("GetGroup", Read),
    ("GetGroupPolicy", Read),
    ("GetHumanReadableSummary", Read),
    ("GetInstanceProfile", Read),
    ("GetLoginProfile", List),
    ("GetMFADevice", Read),
    ("GetOpenIDConnectProvider", Read),
    ("GetOrganizationsAccessReport", Read),
    ("GetOutboundWebIdentityFederationInfo", Read),
    ("GetPolicy", Read),
    ("GetPolicyVersion", Read),
    ("GetRole", Read),
    ("GetRolePolicy", Read),
    ("GetRoleTemplateVersion", Read),
    ("GetSAMLProvider", Read),
    ("GetSSHPublicKey", Read),
    ("GetServerCertificate", Read),
    ("GetServiceLastAccessedDetails", Read),
    ("GetServiceLastAccessedDetailsWithEntities", Read),
    ("GetServiceLinkedRoleDeletionStatus", Read),
    ("GetUser", Read),
    ("GetUserPolicy", Read),
    ("ListAccessKeys", List),
    ("ListAccountAliases", List),
    ("ListAttachedGroupPolicies", List),
    ("ListAttachedRolePolicies", List),
    ("ListAttachedUserPolicies", List),
    ("ListCloudFrontPublicKeys", List),
    ("ListDelegationRequests", List),
    ("ListEntitiesForPolicy", List),
    ("ListGroupPolicies", List),
    ("ListGroups", List),
    ("ListGroupsForUser", List),
    ("ListInstanceProfileTags", List),
    ("ListInstanceProfiles", List),
    ("ListInstanceProfilesForRole", List),
    ("ListMFADeviceTags", List),
    ("ListMFADevices", List),
    ("ListOpenIDConnectProviderTags", List),
    ("ListOpenIDConnectProviders", List),
    ("ListOrganizationsFeatures", List),
    ("ListPolicies", List),
    ("ListPoliciesGrantingServiceAccess", List),
    ("ListPolicyTags", List),
    ("ListPolicyVersions", List),
    ("ListRolePolicies", List),
    ("ListRoleTags", List),
    ("ListRoles", List),
    ("ListSAMLProviderTags", List),
    ("ListSAMLProviders", List),
    ("ListSSHPublicKeys", List),
    ("ListSTSRegionalEndpointsStatus", List),
    ("ListServerCertificateTags", List),
    ("ListServerCertificates", List),
    ("ListServiceSpecificCredentials", List),
    ("ListSigningCertificates", List),
    ("ListUserPolicies", List),
    ("ListUserTags", List),
    ("ListUsers", List),
    ("ListVirtualMFADevices", List),
    ("PassRole", Write),
    ("PutAccountProperties", Write),
    ("PutGroupPolicy", PermissionsManagement),
    ("PutRolePermissionsBoundary", PermissionsManagement),
    ("PutRolePolicy", PermissionsManagement),
    ("PutUserPermissionsBoundary", PermissionsManagement),
    ("PutUserPolicy", PermissionsManagement),
    ("RejectDelegationRequest", Write),
    ("RemoveClientIDFromOpenIDConnectProvider", Write),
    ("RemoveRoleFromInstanceProfile", Write),
    ("RemoveUserFromGroup", Write),
    ("ResetServiceSpecificCredential", Write),
    ("ResyncMFADevice", Write),
    ("SendDelegationToken", Write),
    ("SetDefaultPolicyVersion", PermissionsManagement),
    ("SetSTSRegionalEndpointStatus", Write),
    ("SetSecurityTokenServicePreferences", Write),
    ("SimulateCustomPolicy", Read),
    ("SimulatePrincipalPolicy", Read),
    ("TagInstanceProfile", Tagging),
    ("TagMFADevice", Tagging),
    ("TagOpenIDConnectProvider", Tagging),
    ("TagPolicy", Tagging),
    ("TagRole", Tagging),
    ("TagSAMLProvider", Tagging),
    ("TagServerCertificate", Tagging),
    ("TagUser", Tagging),
    ("UntagInstanceProfile", Tagging),
    ("UntagMFADevice", Tagging),
    ("UntagOpenIDConnectProvider", Tagging),
    ("UntagPolicy", Tagging),
    ("UntagRole", Tagging),
    ("UntagSAMLProvider", Tagging),
    ("UntagServerCertificate", Tagging),
    ("UntagUser", Tagging),
    ("UpdateAccessKey", Write),
    ("UpdateAccountEmailAddress", Write),
    ("UpdateAccountName", Write),
    ("UpdateAccountPasswordPolicy", PermissionsManagement),
    ("UpdateAssumeRolePolicy", PermissionsManagement),
    ("UpdateCloudFrontPublicKey", Write),
    ("UpdateGroup", Write),
    ("UpdateLoginProfile", Write),
    ("UpdateOpenIDConnectProviderThumbprint", Write),
    ("UpdateRole", Write),
    ("UpdateRoleDescription", Write),
    ("UpdateSAMLProvider", Write),
    ("UpdateSSHPublicKey", Write),
    ("UpdateServerCertificate", Write),
    ("UpdateServiceSpecificCredential", Write),
    ("UpdateSigningCertificate", Write),
    ("UpdateUser", Write),
    ("UploadCloudFrontPublicKey", Write),
    ("UploadSSHPublicKey", Write),
    ("UploadServerCertificate", Write),
    ("UploadSigningCertificate", Write),
];

/// `sts` actions, sorted by name.
pub const STS_ACTIONS: &[(&str, AccessLevel)] = &[
    ("AssumeRole", Write),
    ("AssumeRoleWithSAML", Write),
    ("AssumeRoleWithWebIdentity", Write),
    ("AssumeRoot", Write),
    ("DecodeAuthorizationMessage", Write),
    ("GetAccessKeyInfo", Read),
    ("GetCallerIdentity", Read),
    ("GetDelegatedAccessToken", Write),
    ("GetFederationToken", Read),
    ("GetServiceBearerToken", Read),
    ("GetSessionToken", Read),
    ("GetWebIdentityToken", Read),
    ("SetContext", Write),
    ("SetSourceIdentity", Write),
    ("TagSession", Tagging),
];

/// The catalogued actions of `service` (lowercase), if the service is catalogued.
pub fn service_actions(service: &str) -> Option<&'static [(&'static str, AccessLevel)]> {
    match service {
        "iam" => Some(IAM_ACTIONS),
        "sts" => Some(STS_ACTIONS),
        _ => None,
    }
}

/// Lower-cased, sorted action names of a catalogued service, for binary search. Built once.
fn lowercase_index(service: &str) -> &'static [String] {
    use std::sync::OnceLock;
    static IAM: OnceLock<Vec<String>> = OnceLock::new();
    static STS: OnceLock<Vec<String>> = OnceLock::new();
    let (cell, table) = match service {
        "iam" => (&IAM, IAM_ACTIONS),
        "sts" => (&STS, STS_ACTIONS),
        _ => return &[],
    };
    cell.get_or_init(|| {
        let mut names: Vec<String> = table.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        names.sort_unstable();
        names
    })
}

/// Whether the catalogued `service` (lower case) has an action matching `name`, which may hold
/// `*` and `?`; case-insensitive. Only the names that share the literal prefix are matched.
pub(crate) fn has_matching_action(service: &str, name: &str) -> bool {
    let names = lowercase_index(service);
    let literal_len = name.find(['*', '?']).unwrap_or(name.len());
    let mut buf = [0u8; 128];
    let Some(prefix) = buf.get_mut(..literal_len) else {
        return false;
    };
    prefix.copy_from_slice(&name.as_bytes()[..literal_len]);
    prefix.make_ascii_lowercase();
    let prefix: &[u8] = prefix;
    let start = names.partition_point(|n| n.as_bytes() < prefix);
    if literal_len == name.len() {
        return names.get(start).is_some_and(|n| n.as_bytes() == prefix);
    }
    names[start..]
        .iter()
        .take_while(|n| n.as_bytes().starts_with(prefix))
        .any(|n| crate::pattern::wildcard_match_ignore_case(name, n))
}

/// The access level of an action such as `iam:CreateUser` (case-insensitive), if catalogued.
pub fn access_level(action: &str) -> Option<AccessLevel> {
    let (service, name) = action.split_once(':')?;
    service_actions(&service.to_ascii_lowercase())?
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, level)| *level)
}

/// The canonical spelling of a catalogued action (`IAM:createuser` -> `iam:CreateUser`).
pub fn canonical_action(action: &str) -> Option<String> {
    let (service, name) = action.split_once(':')?;
    let service = service.to_ascii_lowercase();
    let found = service_actions(&service)?
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))?;
    Some(format!("{service}:{}", found.0))
}

/// The type of a global condition key's values, which decides the operators that make sense.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    String,
    Date,
    Numeric,
    Bool,
    Ip,
    Arn,
}

/// Global (`aws:`) condition keys, with their type and whether they are multivalued. Keys that
/// end in `/` take a tag key after the slash.
pub const GLOBAL_KEYS: &[(&str, KeyType, bool)] = &[
    ("aws:AssumedRoot", KeyType::Bool, false),
    ("aws:CalledVia", KeyType::String, true),
    ("aws:CalledViaFirst", KeyType::String, false),
    ("aws:CalledViaLast", KeyType::String, false),
    ("aws:CurrentTime", KeyType::Date, false),
    ("aws:Ec2InstanceSourcePrivateIPv4", KeyType::Ip, false),
    ("aws:Ec2InstanceSourceVpc", KeyType::String, false),
    ("aws:EpochTime", KeyType::Date, false),
    ("aws:FederatedProvider", KeyType::String, false),
    ("aws:MultiFactorAuthAge", KeyType::Numeric, false),
    ("aws:MultiFactorAuthPresent", KeyType::Bool, false),
    ("aws:PrincipalAccount", KeyType::String, false),
    ("aws:PrincipalArn", KeyType::Arn, false),
    ("aws:PrincipalIsAWSService", KeyType::Bool, false),
    ("aws:PrincipalOrgID", KeyType::String, false),
    ("aws:PrincipalOrgPaths", KeyType::String, true),
    ("aws:PrincipalServiceName", KeyType::String, false),
    ("aws:PrincipalServiceNamesList", KeyType::String, true),
    ("aws:PrincipalTag/", KeyType::String, false),
    ("aws:PrincipalType", KeyType::String, false),
    ("aws:Referer", KeyType::String, false),
    ("aws:RequestedRegion", KeyType::String, false),
    ("aws:RequestTag/", KeyType::String, false),
    ("aws:ResourceAccount", KeyType::String, false),
    ("aws:ResourceOrgID", KeyType::String, false),
    ("aws:ResourceOrgPaths", KeyType::String, true),
    ("aws:ResourceTag/", KeyType::String, false),
    ("aws:SecureTransport", KeyType::Bool, false),
    ("aws:SourceAccount", KeyType::String, false),
    ("aws:SourceArn", KeyType::Arn, false),
    ("aws:SourceIdentity", KeyType::String, false),
    ("aws:SourceIp", KeyType::Ip, false),
    ("aws:SourceOrgID", KeyType::String, false),
    ("aws:SourceOrgPaths", KeyType::String, true),
    ("aws:SourceVpc", KeyType::String, false),
    ("aws:SourceVpcArn", KeyType::Arn, false),
    ("aws:SourceVpce", KeyType::String, false),
    ("aws:TagKeys", KeyType::String, true),
    ("aws:TokenIssueTime", KeyType::Date, false),
    ("aws:UserAgent", KeyType::String, false),
    ("aws:userid", KeyType::String, false),
    ("aws:username", KeyType::String, false),
    ("aws:ViaAWSService", KeyType::Bool, false),
    ("aws:VpceAccount", KeyType::String, false),
    ("aws:VpceOrgID", KeyType::String, false),
    ("aws:VpceOrgPaths", KeyType::String, true),
    ("aws:VpcSourceIp", KeyType::Ip, false),
];

/// The type and multivaluedness of a global condition key (case-insensitive), if it is one.
pub fn global_key(key: &str) -> Option<(KeyType, bool)> {
    // Tag keys (`aws:PrincipalTag/team`) are looked up by their prefix up to the slash.
    let head = match key.find('/') {
        Some(slash) => &key[..=slash],
        None => key,
    };
    GLOBAL_KEYS.iter().find_map(|(name, ty, multi)| {
        let matches = name.len() == head.len()
            && name.eq_ignore_ascii_case(head)
            && (!name.ends_with('/') || key.len() > head.len());
        matches.then_some((*ty, *multi))
    })
}
