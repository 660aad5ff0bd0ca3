//! Which environment variables hold secrets.
//!
//! One classifier for the whole program: the risk rule that reports secrets and the
//! generator that moves them into 0600 env files must agree, or a value the scan calls
//! secret could land in a world-readable unit file. Names decide most cases; a value is
//! looked at only for shapes that are secret whatever the name (credentials inside a URL,
//! a private key), and the value itself is never returned.

/// Substrings that mark a name as secret wherever they appear (`DB_PASSWORD`, `APIKEY`).
const SECRET_SUBSTRINGS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "PRIVATEKEY",
];
/// Whole words (split on `_`, `-`, `.`) that mark a name as secret, so `KEYBOARD_LAYOUT`,
/// `MONKEY` and `PASSENGER_ENV` do not fire while `API_KEY` and `SMTP_PASS` do.
const SECRET_WORDS: &[&str] = &["KEY", "PASS", "PWD", "AUTH", "DSN"];
/// Names that look like secrets but are not: public keys, the shell's working dirs.
const NOT_SECRET: &[&str] = &["GPG_KEY", "GPG_KEYS", "PWD", "OLDPWD"];
/// Pointers to a secret (`POSTGRES_PASSWORD_FILE`) and key identifiers are not secrets.
const NOT_SECRET_SUFFIXES: &[&str] = &["_FILE", "_PATH", "_DIR", "_KEY_ID", "_ID"];

/// Whether a variable NAME looks like it holds a credential.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if NOT_SECRET.contains(&upper.as_str())
        || NOT_SECRET_SUFFIXES.iter().any(|s| upper.ends_with(s))
    {
        return false;
    }
    let words: Vec<&str> = upper.split(['_', '-', '.']).collect();
    if words.iter().any(|w| *w == "PUBLIC" || *w == "PUB") {
        return false; // SSH_PUBLIC_KEY, VAPID_PUBLIC_KEY: meant to be shared.
    }
    SECRET_SUBSTRINGS.iter().any(|s| upper.contains(s))
        || words.iter().any(|w| SECRET_WORDS.contains(w))
}

/// Whether a VALUE is secret whatever its name: a URL carrying a password
/// (`smtp://user:pass@host`) or a PEM private key.
pub fn is_secret_value(value: &str) -> bool {
    url_has_password(value) || (value.contains("-----BEGIN") && value.contains("PRIVATE KEY"))
}

/// The variable holds a secret by its name or by the shape of its value.
pub fn is_secret(name: &str, value: &str) -> bool {
    is_secret_name(name) || is_secret_value(value)
}

fn url_has_password(value: &str) -> bool {
    value.split_whitespace().any(|word| {
        let Some((scheme, rest)) = word.split_once("://") else {
            return false;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !scheme.is_empty()
            && authority
                .rsplit_once('@')
                .and_then(|(userinfo, _)| userinfo.split_once(':'))
                .is_some_and(|(_, password)| !password.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "DB_PASSWORD",
            "POSTGRES_PASSWORD",
            "GITHUB_TOKEN",
            "API_KEY",
            "APIKEY",
            "JWT_SECRET",
            "mysql_root_password",
            "AWS_SECRET_ACCESS_KEY",
            "SMTP_PASS",
            "client_secret",
            "SSH_PRIVATE_KEY",
            "SENTRY_DSN",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "PATH",
            "HOME",
            "PWD",
            "GPG_KEY",
            "POSTGRES_PASSWORD_FILE",
            "KEYBOARD_LAYOUT",
            "MONKEY",
            "TZ",
            "AWS_ACCESS_KEY_ID",
            "SSH_PUBLIC_KEY",
            "PASSENGER_ENV",
            "PGDATA",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn secret_values() {
        for value in [
            "smtp://user:hunter2@mail.example:587",
            "postgres://app:pw@db/app?sslmode=disable",
            "--url https://u:p@h/x",
            "-----BEGIN OPENSSH PRIVATE KEY-----\\nAAAA",
        ] {
            assert!(is_secret_value(value), "{value}");
        }
        for value in [
            "https://example.com/path",
            "https://user@example.com/",
            "https://example.com/a:b@c",
            "user:pass",
            "-----BEGIN PUBLIC KEY-----",
            "",
        ] {
            assert!(!is_secret_value(value), "{value}");
        }
        assert!(is_secret("NOTIFICATION_URL", "smtp://u:p@h"));
        assert!(!is_secret("NOTIFICATION_URL", "smtp://h"));
    }
}
