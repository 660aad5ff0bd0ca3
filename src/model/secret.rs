//! Which environment variables hold secrets.
//!
//! One classifier for the whole program: the risk rule that reports secrets and the
//! generator that moves them into 0600 env files must agree, or a value the scan calls
//! secret could land in a world-readable unit file. Names decide most cases; a value is
//! looked at only for shapes that are secret whatever the name (credentials inside a URL,
//! a private key), and the value itself is never returned.

/// Substrings that mark a name as secret wherever they appear (`DB_PASSWORD`, `APIKEY`).
/// Strong: no exemption below overrides them (`PUB_SUB_PASSWORD`, `CLIENT_SECRET_ID`).
const SECRET_SUBSTRINGS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "PRIVATEKEY",
    "ACCOUNTKEY",
    "SHAREDACCESSKEY",
];
/// Whole words (split on `_`, `-`, `.`, space) that mark a name as secret, so
/// `KEYBOARD_LAYOUT`, `MONKEY` and `PASSENGER_ENV` do not fire while `API_KEY` and
/// `SMTP_PASS` do. Weak: a public-key word or an identifier suffix overrides them.
const SECRET_WORDS: &[&str] = &["KEY", "PASS", "PWD", "AUTH", "DSN"];
/// Names that look like secrets but are not: public keys, the shell's working dirs.
const NOT_SECRET: &[&str] = &["GPG_KEY", "GPG_KEYS", "PWD", "OLDPWD"];
/// Pointers to a secret (`POSTGRES_PASSWORD_FILE`): the value is a path, whatever the name.
const POINTER_SUFFIXES: &[&str] = &["_FILE", "_PATH", "_DIR"];
/// Identifiers of a key (`AWS_ACCESS_KEY_ID`): not secret unless a strong word is in the
/// name too (`OAUTH_CLIENT_SECRET_ID` stays secret).
const ID_SUFFIXES: &[&str] = &["_KEY_ID", "_ID"];
/// Words that make a *weak* match public (`SSH_PUBLIC_KEY`, `VAPID_PUB_KEY`).
const PUBLIC_WORDS: &[&str] = &["PUBLIC", "PUB"];
/// Keys inside a value (`Password=...;`, `?password=...`) that carry a secret, beyond what
/// [`is_secret_name`] already says (`Pwd` is a password in a connection string, not the
/// shell's working directory).
const SECRET_VALUE_KEYS: &[&str] = &["PWD", "PASS"];

/// Whether a variable NAME looks like it holds a credential. When in doubt, yes: a false
/// positive only moves a value into the 0600 env file, a false negative leaks it into a
/// world-readable unit.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if NOT_SECRET.contains(&upper.as_str()) || POINTER_SUFFIXES.iter().any(|s| upper.ends_with(s)) {
        return false;
    }
    if SECRET_SUBSTRINGS.iter().any(|s| upper.contains(s)) {
        return true;
    }
    if ID_SUFFIXES.iter().any(|s| upper.ends_with(s)) {
        return false;
    }
    let words: Vec<&str> = upper.split(['_', '-', '.', ' ']).collect();
    if words.iter().any(|w| PUBLIC_WORDS.contains(w)) {
        return false; // SSH_PUBLIC_KEY, VAPID_PUBLIC_KEY: meant to be shared.
    }
    words.iter().any(|w| SECRET_WORDS.contains(w))
}

/// Whether a VALUE is secret whatever its name: a URL carrying a password
/// (`smtp://user:pass@host`), a connection string or query with a password
/// (`Server=db;Password=...;`, `?password=...`) or a PEM private key.
pub fn is_secret_value(value: &str) -> bool {
    url_has_password(value)
        || has_secret_pair(value)
        || (value.contains("-----BEGIN") && value.contains("PRIVATE KEY"))
}

/// The variable holds a secret by its name or by the shape of its value.
pub fn is_secret(name: &str, value: &str) -> bool {
    is_secret_name(name) || is_secret_value(value)
}

/// `scheme://user:password@host`: the userinfo ends at the *last* `@` of the word, so a
/// password may hold `/`, `#` or `?` (`postgres://app:ab/cd@db/app`); a user name never
/// holds `/`, which keeps `https://host/a:b@c` (a path) out.
fn url_has_password(value: &str) -> bool {
    value.split_whitespace().any(|word| {
        let Some((scheme, rest)) = word.split_once("://") else {
            return false;
        };
        !scheme.is_empty()
            && rest
                .rsplit_once('@')
                .and_then(|(userinfo, _)| userinfo.split_once(':'))
                .is_some_and(|(user, password)| !user.contains('/') && !password.is_empty())
    })
}

/// `key=value` pairs inside a value (ADO.NET/ODBC `;`, URL query `&`/`?`, command-line
/// `--password=`), secret when the key is: `Server=db;User Id=app;Password=x;`.
fn has_secret_pair(value: &str) -> bool {
    value
        .split([';', '&', '?', ',', '\n'])
        .filter_map(|pair| pair.split_once('='))
        .any(|(key, secret)| {
            // The key is the last word before `=` (`--url x --db-password=...`).
            let key = key.split_whitespace().last().unwrap_or_default();
            let key = key.trim_start_matches('-');
            !secret.trim().is_empty()
                && !key.is_empty()
                && (is_secret_name(key)
                    || SECRET_VALUE_KEYS.contains(&key.to_ascii_uppercase().as_str()))
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
            // Issue 16: a strong word wins over the public and identifier exemptions.
            "PUB_SUB_PASSWORD",
            "PUBLIC_API_TOKEN",
            "OAUTH_CLIENT_SECRET_ID",
            "SESSION_TOKEN_ID",
            "AZURE_STORAGE_ACCOUNTKEY",
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
            // Issue 16: `/`, `#`, `?` inside the password; connection strings and queries.
            "postgres://app:ab/cd@db/app",
            "postgres://app:ab#cd@db/app",
            "mongodb://u:p?q@h1,h2/db",
            "Server=db;User Id=app;Password=hunter2;",
            "Data Source=db; Initial Catalog=x; Pwd = hunter2",
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;",
            "jdbc:postgresql://db/app?user=app&password=hunter2",
            "--db-password=hunter2",
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
            "Server=db;User Id=app;Password=;",
            "Server=db;Database=app;Trusted_Connection=True;",
            "a=b&c=d",
            "PATH=/usr/bin",
        ] {
            assert!(!is_secret_value(value), "{value}");
        }
        assert!(is_secret("NOTIFICATION_URL", "smtp://u:p@h"));
        assert!(!is_secret("NOTIFICATION_URL", "smtp://h"));
    }
}
