//! `Config.User` (`""`, `0`, `root`, `0:0`, `1000:1000`, `app:staff`) into a [`UserSpec`].

use crate::model::{IdOrName, UserSpec};

fn id_or_name(part: &str) -> Option<IdOrName> {
    let part = part.trim();
    if part.is_empty() {
        None
    } else if let Ok(id) = part.parse::<u32>() {
        Some(IdOrName::Id(id))
    } else {
        Some(IdOrName::Name(part.to_owned()))
    }
}

/// Docker merges the image's `USER` into `Config.User` at create time, so an empty value
/// means the process runs as root.
pub fn user_spec(raw: &str) -> UserSpec {
    let (user_part, group_part) = match raw.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (raw, None),
    };
    let user = id_or_name(user_part);
    let group = group_part.and_then(id_or_name);
    let is_root = match &user {
        None => true,
        Some(IdOrName::Id(id)) => *id == 0,
        Some(IdOrName::Name(name)) => name == "root",
    };
    UserSpec {
        raw: raw.to_owned(),
        user,
        group,
        is_root,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_forms() {
        for raw in ["", "0", "root", "0:0", "root:root", "0:1000"] {
            assert!(user_spec(raw).is_root, "{raw:?}");
        }
        assert_eq!(
            user_spec("root:root").group,
            Some(IdOrName::Name("root".into()))
        );
        assert_eq!(user_spec("0:0").user, Some(IdOrName::Id(0)));
        assert_eq!(user_spec("").user, None);
    }

    #[test]
    fn unprivileged_forms() {
        let u = user_spec("1000:1000");
        assert!(!u.is_root);
        assert_eq!(u.user, Some(IdOrName::Id(1000)));
        assert_eq!(u.group, Some(IdOrName::Id(1000)));
        let u = user_spec("app");
        assert!(!u.is_root);
        assert_eq!(u.user, Some(IdOrName::Name("app".into())));
        assert_eq!(u.group, None);
        let u = user_spec("472:staff");
        assert_eq!(u.group, Some(IdOrName::Name("staff".into())));
        assert_eq!(u.raw, "472:staff");
    }
}
