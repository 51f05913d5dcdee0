//! IP address condition operators (IAM reference, "IP address condition operators"): CIDR blocks
//! of IPv4 and IPv6, compared against `aws:SourceIp`.

use gatehouse_policy::Context;

use crate::{cond, condition_denies};

const IP: &str = "aws:SourceIp";

cond!(ip_address_inside_the_cidr_is_true, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, {IP => "203.0.113.77"}, true);
cond!(ip_address_outside_the_cidr_is_false, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, {IP => "198.51.100.1"}, false);
cond!(ip_address_single_address_is_a_slash_32, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.5"}}"#, {IP => "203.0.113.5"}, true);
cond!(ip_address_single_address_other_is_false, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.5"}}"#, {IP => "203.0.113.6"}, false);
cond!(ip_address_cidr_list_is_ored, r#"{"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}"#, {IP => "192.0.2.9"}, true);
cond!(ip_address_slash_zero_matches_all_ipv4, r#"{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#, {IP => "8.8.8.8"}, true);
cond!(ip_address_ipv6_cidr_matches, r#"{"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}"#, {IP => "2001:db8:1234:5678::99"}, true);
cond!(ip_address_ipv6_outside_is_false, r#"{"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}"#, {IP => "2001:db8:1234:5679::1"}, false);
cond!(ip_address_ipv4_cidr_does_not_match_ipv6, r#"{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#, {IP => "2001:db8::1"}, false);
cond!(ip_address_ipv4_mapped_ipv6_is_its_ipv4, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, {IP => "::ffff:203.0.113.7"}, true);
cond!(not_ip_address_outside_is_true, r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, {IP => "198.51.100.1"}, true);
cond!(not_ip_address_inside_is_false, r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, {IP => "203.0.113.1"}, false);
cond!(not_ip_address_must_be_outside_every_cidr, r#"{"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}"#, {IP => "203.0.113.1"}, false);
cond!(
    ip_address_missing_key_is_false,
    r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
    {},
    false
);
cond!(
    ip_address_if_exists_missing_key_is_true,
    r#"{"IpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"}}"#,
    {},
    true
);
cond!(ip_address_unreadable_source_ip_fails_closed, r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, {IP => "not-an-ip"}, false);

#[test]
fn deny_outside_the_corporate_network_from_the_aws_example() {
    // "Denies access to AWS based on the source IP" (IAM User Guide example policies).
    let c = r#"{"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}"#;
    assert!(condition_denies(c, &Context::new().with(IP, "198.51.100.10")));
    assert!(!condition_denies(c, &Context::new().with(IP, "192.0.2.10")));
}
