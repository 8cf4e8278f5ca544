//! Whether an alert's runbook can be followed: a runbook link is a well-formed http(s) URL or
//! a file inside the scan root (relative to the rule file, or to the root when it starts with
//! `/`), and a runbook file holds more than a title and a placeholder such as `TODO`.

use crate::collector::Scope;

/// Words that mark a runbook as not written yet.
const PLACEHOLDERS: [&str; 5] = ["todo", "tbd", "fixme", "wip", "placeholder"];

/// What is wrong with the runbook of an alert of the rule file `rules`: `link` is its runbook
/// annotation, `doc` the runbook file named after the alert. `None` when it is usable or when
/// there is none (having one at all is the control's other condition).
pub fn problem(
    scope: &Scope,
    rules: &str,
    link: Option<&str>,
    doc: Option<&str>,
) -> Option<String> {
    match link {
        Some(link) if link.contains("://") => (!is_web_url(link))
            .then(|| format!("runbook link `{link}` is not a well-formed http(s) URL")),
        Some(link) => match resolve(rules, link) {
            Some(path) => file_problem(scope, &path, link),
            None => Some(format!(
                "runbook link `{link}` points outside the repository"
            )),
        },
        None => doc.and_then(|d| file_problem(scope, d, d)),
    }
}

/// The problem with the runbook file at the root-relative `path`, written as `shown`.
fn file_problem(scope: &Scope, path: &str, shown: &str) -> Option<String> {
    match scope.read(path) {
        Err(reason) => Some(format!("runbook `{shown}` cannot be read: {reason}")),
        Ok(bytes) if is_placeholder(&String::from_utf8_lossy(&bytes)) => Some(format!(
            "runbook `{shown}` is only a placeholder: it holds no steps beyond a title or TODO"
        )),
        Ok(_) => None,
    }
}

/// Whether a runbook's text is empty once headings and placeholder words are set aside.
fn is_placeholder(text: &str) -> bool {
    let body: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    !body
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| !word.is_empty() && !PLACEHOLDERS.contains(&word))
}

/// Whether `link` is an `http://` or `https://` URL with a host name (letters, digits, `-`,
/// dots between labels) or an IPv4 address, an optional port, and no control characters or
/// spaces outside `{{ … }}` templates.
fn is_web_url(link: &str) -> bool {
    let Some(rest) = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"))
    else {
        return false;
    };
    if link.chars().any(char::is_control) {
        return false;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let untemplated = tail.split("{{").enumerate().all(|(i, part)| {
        let outside = if i == 0 {
            part
        } else {
            part.split_once("}}").map_or("", |(_, o)| o)
        };
        !outside.contains(' ')
    });
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    let host_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    untemplated && port_ok && host_ok
}

/// The root-relative path a relative runbook link of the rule file `rules` names, without
/// its `#fragment` or `?query`; `None` when it climbs out of the root.
fn resolve(rules: &str, link: &str) -> Option<String> {
    let link = link.split(['#', '?']).next().unwrap_or_default().trim();
    let mut parts: Vec<&str> = match link.strip_prefix('/') {
        Some(_) => Vec::new(),
        None => rules
            .split('/')
            .collect::<Vec<_>>()
            .split_last()?
            .1
            .to_vec(),
    };
    for part in link.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls() {
        for good in [
            "https://runbooks.example.org/api/high-error-rate",
            "http://wiki:8080/Runbooks#disk",
            "https://10.0.0.1/r?x=1",
            "https://runbooks.example.org/{{ $labels.alertname }}",
        ] {
            assert!(is_web_url(good), "{good}");
        }
        for bad in [
            "https://",
            "https:///path",
            "https://exa mple.org/",
            "https://-bad.example.org/",
            "https://example..org/",
            "https://example.org:99999/",
            "ftp://example.org/",
            "https://example.org/a b",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn relative_links_stay_inside_the_root() {
        assert_eq!(
            resolve("monitoring/alerts.yml", "../runbooks/disk.md#steps").as_deref(),
            Some("runbooks/disk.md")
        );
        assert_eq!(
            resolve("monitoring/alerts.yml", "/docs/runbooks/disk.md").as_deref(),
            Some("docs/runbooks/disk.md")
        );
        assert_eq!(resolve("alerts.yml", "../../etc/passwd"), None);
        assert_eq!(resolve("monitoring/alerts.yml", "../../x.md"), None);
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder(""));
        assert!(is_placeholder("# Disk full\n\nTODO\n"));
        assert!(is_placeholder("# Disk full\n- TBD.\n"));
        assert!(!is_placeholder(
            "# Disk full\n\nDelete old snapshots: `make prune`.\n"
        ));
    }
}
