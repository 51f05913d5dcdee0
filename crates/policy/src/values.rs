//! Parsing of the typed values condition operators compare: numbers, dates (the W3C profile of
//! ISO 8601 that IAM accepts, or epoch seconds), booleans, IP addresses and CIDR blocks.

use std::net::IpAddr;

/// A number as the Numeric operators compare it (integers and decimals).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || b == b'-' || b == b'+')
    {
        return None;
    }
    if !body.as_bytes()[0].is_ascii_digit() && body.as_bytes()[0] != b'.' {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `true`/`false` in any case, as the Bool operator reads them.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Nanoseconds since the Unix epoch of `YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
/// `YYYY-MM-DDThh:mm[:ss[.fraction]](Z|±hh:mm)`, or of epoch seconds (integer or decimal).
pub(crate) fn parse_date(s: &str) -> Option<i128> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.len() != 4 {
        let secs: i128 = s.parse().ok()?;
        return Some(secs * 1_000_000_000);
    }
    if s.contains('.') && !s.contains('-') && !s.contains(':') {
        let secs: f64 = s.parse().ok()?;
        return secs.is_finite().then_some((secs * 1e9) as i128);
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let year = num(0, 4)?;
    let (mut month, mut day) = (1, 1);
    let mut i = 4;
    if b.get(i) == Some(&b'-') {
        month = num(i + 1, 2)?;
        i += 3;
        if b.get(i) == Some(&b'-') {
            day = num(i + 1, 2)?;
            i += 3;
        }
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs_of_day = 0i64;
    let mut nanos = 0i128;
    let mut offset = 0i64;
    if i < b.len() {
        if b[i] != b'T' || i != 10 {
            return None;
        }
        let hour = num(i + 1, 2)?;
        if b.get(i + 3) != Some(&b':') {
            return None;
        }
        let minute = num(i + 4, 2)?;
        i += 6;
        let mut second = 0;
        if b.get(i) == Some(&b':') {
            second = num(i + 1, 2)?;
            i += 3;
            if b.get(i) == Some(&b'.') {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && b[end].is_ascii_digit() {
                    end += 1;
                }
                if end == start {
                    return None;
                }
                let digits = &s[start..end.min(start + 9)];
                let scale = 10i128.pow(9 - u32::try_from(digits.len()).ok()?);
                nanos = digits.parse::<i128>().ok()? * scale;
                i = end;
            }
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        secs_of_day = hour * 3600 + minute * 60 + second;
        match b.get(i) {
            Some(b'Z') if i + 1 == b.len() => {}
            Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
                let oh = num(i + 1, 2)?;
                let om = num(i + 4, 2)?;
                if oh > 23 || om > 59 {
                    return None;
                }
                offset = (oh * 3600 + om * 60) * if *sign == b'+' { 1 } else { -1 };
            }
            _ => return None,
        }
    }
    let days = days_from_civil(year, month, day);
    let secs = i128::from(days) * 86_400 + i128::from(secs_of_day) - i128::from(offset);
    Some(secs * 1_000_000_000 + nanos)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An IPv4 or IPv6 network: an address and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// `203.0.113.0/24`, `2001:db8::/32`, or a single address (a /32 or /128 network).
    pub fn parse(s: &str) -> Option<Self> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?))
            }
            None => (s.trim().parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match (self.addr, ip) {
            // An IPv4-mapped IPv6 address is the IPv4 address it maps.
            (IpAddr::V4(_), IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => return false,
            },
            (_, ip) => ip,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix)
                };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix)
                };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IP address as a context value (`aws:SourceIp`).
pub(crate) fn parse_ip(s: &str) -> Option<IpAddr> {
    s.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i128 = 1_000_000_000;

    #[test]
    fn w3c_date_forms_and_epoch_seconds_agree() {
        let t = 1_767_225_600 * S; // 2026-01-01T00:00:00Z
        assert_eq!(parse_date("2026-01-01T00:00:00Z"), Some(t));
        assert_eq!(parse_date("2026-01-01"), Some(t));
        assert_eq!(parse_date("2026-01"), Some(t));
        assert_eq!(parse_date("2026"), Some(t));
        assert_eq!(parse_date("2026-01-01T00:00Z"), Some(t));
        assert_eq!(parse_date("2026-01-01T01:00:00+01:00"), Some(t));
        assert_eq!(parse_date("2025-12-31T19:00:00-05:00"), Some(t));
        assert_eq!(parse_date("2026-01-01T00:00:00.5Z"), Some(t + S / 2));
        assert_eq!(parse_date("1767225600"), Some(t));
        assert_eq!(parse_date("1970-01-01T00:00:00Z"), Some(0));
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-01-01T24:00:00Z",
            "2026-01-01T10:00:00",
            "yesterday",
            "",
            "2026-1-1",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert!(parse_date("2024-02-29").is_some());
    }

    #[test]
    fn cidr_membership_for_both_families() {
        let net = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(net.contains("203.0.113.5".parse().unwrap()));
        assert!(!net.contains("203.0.114.5".parse().unwrap()));
        assert!(net.contains("::ffff:203.0.113.9".parse().unwrap()));
        let v6 = Cidr::parse("2001:DB8:1234:5678::/64").unwrap();
        assert!(v6.contains("2001:db8:1234:5678::1".parse().unwrap()));
        assert!(!v6.contains("2001:db8:1234:5679::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("10.0.0/8"), None);
    }
}
