//! HAProxy's conditional blocks: the `.if` condition language (`defined(X)`,
//! `version_atleast(2.6)`, `feature(OPENSSL)`, `!`, `&&`, `||`), evaluated to yes, no, or
//! unknown where the answer depends on the environment.

use nom::bytes::complete::take_while;
use nom::IResult;

use crate::config::Release;

/// Three-valued truth, for conditions that depend on the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Truth {
    Yes,
    No,
    Unknown,
}

impl Truth {
    pub(super) fn not(self) -> Truth {
        match self {
            Truth::Yes => Truth::No,
            Truth::No => Truth::Yes,
            Truth::Unknown => Truth::Unknown,
        }
    }

    pub(super) fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::No, _) | (_, Truth::No) => Truth::No,
            (Truth::Yes, Truth::Yes) => Truth::Yes,
            _ => Truth::Unknown,
        }
    }

    pub(super) fn or(self, other: Truth) -> Truth {
        self.not().and(other.not()).not()
    }
}

/// `a || b`.
pub(super) fn condition_or(cursor: &mut &str, target: Option<Release>) -> Option<Truth> {
    let mut value = condition_and(cursor, target)?;
    while let Some(rest) = cursor.trim_start().strip_prefix("||") {
        *cursor = rest;
        value = value.or(condition_and(cursor, target)?);
    }
    Some(value)
}

/// `a && b`.
fn condition_and(cursor: &mut &str, target: Option<Release>) -> Option<Truth> {
    let mut value = condition_factor(cursor, target)?;
    while let Some(rest) = cursor.trim_start().strip_prefix("&&") {
        *cursor = rest;
        value = value.and(condition_factor(cursor, target)?);
    }
    Some(value)
}

/// `!x`, `(x)`, an integer, or a predicate call.
fn condition_factor(cursor: &mut &str, target: Option<Release>) -> Option<Truth> {
    let rest = cursor.trim_start();
    if let Some(after) = rest.strip_prefix('!') {
        *cursor = after;
        return condition_factor(cursor, target).map(Truth::not);
    }
    if let Some(after) = rest.strip_prefix('(') {
        *cursor = after;
        let value = condition_or(cursor, target)?;
        *cursor = cursor.trim_start().strip_prefix(')')?;
        return Some(value);
    }
    // An empty condition is false; integers are read as strtol reads them (sign, 0x).
    if rest.is_empty() || rest.starts_with(')') || rest.starts_with("&&") || rest.starts_with("||") {
        *cursor = rest;
        return Some(Truth::No);
    }
    let unsigned = rest.strip_prefix(['-', '+']).unwrap_or(rest);
    let hex = unsigned.strip_prefix("0x").or_else(|| unsigned.strip_prefix("0X"));
    let body = hex.unwrap_or(unsigned);
    let digits = body.len()
        - body
            .trim_start_matches(|c: char| if hex.is_some() { c.is_ascii_hexdigit() } else { c.is_ascii_digit() })
            .len();
    if digits > 0 {
        let (number, after) = body.split_at(digits);
        *cursor = after;
        return Some(if number.trim_start_matches('0').is_empty() { Truth::No } else { Truth::Yes });
    }
    let (after, name) = predicate_name(rest).ok()?;
    let after = after.strip_prefix('(')?;
    let close = after.find(')')?;
    let args: Vec<&str> = after.get(..close)?.split(',').map(str::trim).collect();
    *cursor = after.get(close + 1..)?;
    predicate(name, &args, target)
}

fn predicate_name(input: &str) -> IResult<&str, &str> {
    take_while(|c: char| c.is_ascii_alphanumeric() || c == '_')(input)
}

/// The 2.6 predicates; what depends on the environment or the build is unknown.
fn predicate(name: &str, args: &[&str], target: Option<Release>) -> Option<Truth> {
    let arg = |i: usize| args.get(i).copied().unwrap_or("");
    match name {
        "defined" => Some(Truth::Unknown),
        // The keyword table was measured on Debian's build; its features decide like HAProxy.
        "feature" => Some(if DEBIAN_FEATURES.contains(&arg(0)) { Truth::Yes } else { Truth::No }),
        "streq" | "strneq" => {
            if args.iter().any(|a| a.contains('$')) {
                return Some(Truth::Unknown);
            }
            let equal = arg(0) == arg(1);
            Some(if equal == (name == "streq") { Truth::Yes } else { Truth::No })
        }
        "version_atleast" | "version_before" => {
            let wanted = parse_version(arg(0))?;
            let at_least = at_least(target, wanted);
            Some(if name == "version_atleast" { at_least } else { at_least.not() })
        }
        _ => None,
    }
}

/// Whether the targeted release is `wanted` or later: unknown with no target, or when the
/// target names no patch level and `wanted` does on the same line (`2.6` against `2.6.13`).
fn at_least(target: Option<Release>, wanted: (u32, u32, u32)) -> Truth {
    let Some(target) = target else { return Truth::Unknown };
    let (major, minor, patch) = wanted;
    let line = (target.major, target.minor).cmp(&(major, minor));
    let yes = match (line, target.patch) {
        (std::cmp::Ordering::Equal, Some(have)) => have >= patch,
        (std::cmp::Ordering::Equal, None) if patch == 0 => true,
        (std::cmp::Ordering::Equal, None) => return Truth::Unknown,
        (order, _) => order == std::cmp::Ordering::Greater,
    };
    if yes {
        Truth::Yes
    } else {
        Truth::No
    }
}

fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    let patch = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Some((major, minor, patch))
}

/// `haproxy -vv` "Feature list" of Debian 12's HAProxy 2.6.12, whose keywords the table holds.
const DEBIAN_FEATURES: &[&str] = &[
    "ACCEPT4",
    "BACKTRACE",
    "CPU_AFFINITY",
    "CRYPT_H",
    "DL",
    "EPOLL",
    "GETADDRINFO",
    "LIBCRYPT",
    "LINUX_SPLICE",
    "LINUX_TPROXY",
    "LUA",
    "NETFILTER",
    "NS",
    "OPENSSL",
    "OT",
    "PCRE2",
    "PCRE2_JIT",
    "POLL",
    "PRCTL",
    "PROMEX",
    "RT",
    "SLZ",
    "SYSTEMD",
    "TFO",
    "THREAD",
    "THREAD_DUMP",
    "TPROXY",
];
