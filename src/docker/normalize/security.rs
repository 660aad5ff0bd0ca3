//! `HostConfig.SecurityOpt` and `--privileged` into explicit settings.
//!
//! Docker accepts `key=value` and the legacy `key:value` form; `no-new-privileges` may be
//! bare (true), or carry a boolean.

use crate::model::{ProfileSetting, SecurityOptions};

/// Split `seccomp=x`, `seccomp:x` (legacy) or a bare `no-new-privileges` at the first separator.
pub fn split_opt(opt: &str) -> (&str, Option<&str>) {
    match opt.find(['=', ':']) {
        Some(i) => (&opt[..i], Some(&opt[i + 1..])),
        None => (opt, None),
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// `app_armor_profile` is the container's `AppArmorProfile` (what the engine applied).
pub fn security_options(
    raw: &[String],
    privileged: bool,
    app_armor_profile: Option<&str>,
) -> SecurityOptions {
    let mut out = SecurityOptions {
        raw: raw.to_vec(),
        ..SecurityOptions::default()
    };
    let mut apparmor_opt = None;
    for opt in raw {
        let (key, value) = split_opt(opt);
        match (key, value) {
            ("seccomp", Some(v)) => out.seccomp = ProfileSetting::parse(v),
            ("apparmor", Some(v)) => apparmor_opt = Some(ProfileSetting::parse(v)),
            ("label", Some(v)) => out.selinux_labels.push(v.to_owned()),
            ("no-new-privileges", None) => out.no_new_privileges = true,
            ("no-new-privileges", Some(v)) => {
                out.no_new_privileges = parse_bool(v).unwrap_or(false);
            }
            ("systempaths", Some("unconfined")) => out.systempaths_unconfined = true,
            _ => {}
        }
    }
    out.apparmor = apparmor_opt
        .or_else(|| app_armor_profile.map(ProfileSetting::parse))
        .unwrap_or_default();
    if privileged {
        // Docker disables both confinements for privileged containers, whatever else is set.
        out.seccomp = ProfileSetting::Unconfined;
        out.apparmor = ProfileSetting::Unconfined;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn both_separators() {
        let s = security_options(
            &opts(&["seccomp=unconfined", "apparmor:unconfined"]),
            false,
            None,
        );
        assert_eq!(s.seccomp, ProfileSetting::Unconfined);
        assert_eq!(s.apparmor, ProfileSetting::Unconfined);
        let s = security_options(&opts(&["seccomp:unconfined"]), false, None);
        assert_eq!(s.seccomp, ProfileSetting::Unconfined);
    }

    #[test]
    fn no_new_privileges_forms() {
        for (raw, want) in [
            ("no-new-privileges", true),
            ("no-new-privileges:true", true),
            ("no-new-privileges=true", true),
            ("no-new-privileges:false", false),
            ("no-new-privileges=false", false),
        ] {
            let s = security_options(&opts(&[raw]), false, None);
            assert_eq!(s.no_new_privileges, want, "{raw}");
        }
    }

    #[test]
    fn custom_profiles_and_labels() {
        let s = security_options(
            &opts(&[
                "apparmor=my-profile",
                "label=type:svirt_t",
                "label:disable",
                "systempaths=unconfined",
            ]),
            false,
            Some("docker-default"),
        );
        assert_eq!(s.apparmor, ProfileSetting::Custom("my-profile".into()));
        assert_eq!(s.selinux_labels, opts(&["type:svirt_t", "disable"]));
        assert!(s.systempaths_unconfined);
        assert_eq!(s.seccomp, ProfileSetting::Default);
    }

    #[test]
    fn applied_apparmor_profile_is_used_without_an_option() {
        let s = security_options(&[], false, Some("docker-default"));
        assert_eq!(s.apparmor, ProfileSetting::Default);
        let s = security_options(&[], false, Some("unconfined"));
        assert_eq!(s.apparmor, ProfileSetting::Unconfined);
    }

    #[test]
    fn privileged_is_unconfined() {
        let s = security_options(&opts(&["seccomp=/etc/x.json"]), true, Some(""));
        assert_eq!(s.seccomp, ProfileSetting::Unconfined);
        assert_eq!(s.apparmor, ProfileSetting::Unconfined);
    }
}
