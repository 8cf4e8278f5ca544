//! CODEOWNERS files as GitHub reads them: gitignore-style patterns, each followed by owners
//! (`@user`, `@org/team` or an e-mail address); for a path, the *last* matching line wins, and
//! a matching line without owners leaves the path unowned.

use std::collections::BTreeMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Where GitHub looks for the file, in its order of precedence.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// One line of the file.
#[derive(Debug, Clone)]
pub struct Rule {
    pub pattern: String,
    pub owners: Vec<String>,
    pub line: u32,
}

/// A parsed CODEOWNERS file.
#[derive(Debug)]
pub struct Codeowners {
    pub path: String,
    pub rules: Vec<Rule>,
    /// Per rule, the globs that stand for its pattern (same order as `rules`).
    set: GlobSet,
    /// Glob index in `set` → rule index.
    glob_rule: Vec<usize>,
    /// Lines that could not be read, with the reason.
    pub errors: Vec<(u32, String)>,
}

impl Codeowners {
    /// Parses the file at root-relative `path`.
    pub fn parse(path: &str, text: &str) -> Codeowners {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        let mut builder = GlobSetBuilder::new();
        let mut glob_rule = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let content = strip_comment(raw).trim();
            if content.is_empty() {
                continue;
            }
            let mut tokens = content.split_whitespace();
            let Some(pattern) = tokens.next() else {
                continue;
            };
            if pattern.starts_with('!') || pattern.contains('[') {
                errors.push((
                    line,
                    format!("`{pattern}`: negation and character ranges are not supported in CODEOWNERS"),
                ));
                continue;
            }
            let owners: Vec<String> = tokens.map(str::to_string).collect();
            let mut ok = true;
            let globs = globs_of(pattern);
            let mut built = Vec::with_capacity(globs.len());
            for g in &globs {
                match GlobBuilder::new(g).literal_separator(true).build() {
                    Ok(glob) => built.push(glob),
                    Err(e) => {
                        errors.push((line, format!("`{pattern}`: {}", e.kind())));
                        ok = false;
                        break;
                    }
                }
            }
            if !ok {
                continue;
            }
            for glob in built {
                builder.add(glob);
                glob_rule.push(rules.len());
            }
            rules.push(Rule {
                pattern: pattern.to_string(),
                owners,
                line,
            });
        }
        let set = builder.build().unwrap_or_else(|_| GlobSet::empty());
        Codeowners {
            path: path.to_string(),
            rules,
            set,
            glob_rule,
            errors,
        }
    }

    /// The rule that decides who owns `path` (the last one matching), if any.
    pub fn rule_for(&self, path: &str) -> Option<&Rule> {
        self.set
            .matches(path)
            .into_iter()
            .map(|g| self.glob_rule[g])
            .max()
            .map(|r| &self.rules[r])
    }
}

/// The text before an unescaped `#`.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1] != b'\\') {
            return &line[..i];
        }
    }
    line
}

/// The globs (matched against root-relative paths with `/` separators) that stand for one
/// gitignore-style pattern: the path itself and, unless the pattern ends in `/*`, everything
/// below it. A pattern with a slash before its end is anchored at the root; one without
/// matches at any depth; a trailing slash matches directories only.
fn globs_of(pattern: &str) -> Vec<String> {
    let unescaped = pattern.replace("\\#", "#");
    let dir_only = unescaped.ends_with('/');
    let trimmed = unescaped.trim_end_matches('/');
    let anchored = trimmed.starts_with('/') || trimmed.contains('/');
    let body = trimmed.trim_start_matches('/');
    let base = if anchored || body.starts_with("**/") {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    let last_is_star = body.rsplit('/').next() == Some("*") && body.contains('/');
    let mut globs = Vec::new();
    if !dir_only {
        globs.push(base.clone());
    }
    if !last_is_star {
        globs.push(format!("{base}/**"));
    }
    globs
}

/// Who a person is, as far as CODEOWNERS can tell: their e-mail and, when known, their login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub email: String,
    pub login: Option<String>,
}

/// Resolves people to logins and teams to members, from the collector's settings and from
/// GitHub's no-reply addresses (`12345+login@users.noreply.github.com`).
#[derive(Debug, Default)]
pub struct Directory {
    /// Lower-cased e-mail → `@login`.
    pub logins: BTreeMap<String, String>,
    /// `@org/team` (lower-cased) → members, each an `@login` or an e-mail address.
    pub teams: BTreeMap<String, Vec<String>>,
}

/// Whether a person is among the owners of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    Owner,
    NotOwner,
    /// The owners name a login or team the directory cannot resolve for this person.
    Unknown,
}

impl Directory {
    pub fn identify(&self, email: &str) -> Identity {
        let email = email.to_ascii_lowercase();
        let login = self.logins.get(&email).cloned().or_else(|| {
            email
                .strip_suffix("@users.noreply.github.com")
                .map(|local| format!("@{}", local.rsplit('+').next().unwrap_or(local)))
        });
        Identity { email, login }
    }

    /// Whether `who` is one of `owners`.
    pub fn ownership(&self, who: &Identity, owners: &[String]) -> Ownership {
        let mut unknown = false;
        for owner in owners {
            let owner = owner.to_ascii_lowercase();
            if !owner.starts_with('@') {
                if owner == who.email {
                    return Ownership::Owner;
                }
            } else if owner.contains('/') {
                match self.teams.get(&owner) {
                    Some(members) => {
                        if members.iter().any(|m| self.is(who, m)) {
                            return Ownership::Owner;
                        }
                    }
                    None => unknown = true,
                }
            } else {
                match &who.login {
                    Some(login) if login.eq_ignore_ascii_case(&owner) => return Ownership::Owner,
                    Some(_) => {}
                    None => unknown = true,
                }
            }
        }
        if unknown {
            Ownership::Unknown
        } else {
            Ownership::NotOwner
        }
    }

    fn is(&self, who: &Identity, member: &str) -> bool {
        if member.starts_with('@') {
            who.login
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(member))
        } else {
            member.eq_ignore_ascii_case(&who.email)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners<'a>(c: &'a Codeowners, path: &str) -> Option<&'a [String]> {
        c.rule_for(path).map(|r| r.owners.as_slice())
    }

    #[test]
    fn last_match_wins_as_on_github() {
        let c = Codeowners::parse(
            ".github/CODEOWNERS",
            "# comment\n*       @global\n*.js    @js-owner #inline\n/build/logs/ @doctocat\ndocs/*  docs@example.com\napps/   @octocat\n/scripts/ @doctocat @octocat\n/apps/github\n**/logs @logs\n",
        );
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(owners(&c, "README.md").unwrap(), ["@global"]);
        assert_eq!(owners(&c, "src/app.js").unwrap(), ["@js-owner"]);
        assert_eq!(owners(&c, "build/logs/x.txt").unwrap(), ["@logs"]);
        assert_eq!(
            owners(&c, "docs/getting-started.md").unwrap(),
            ["docs@example.com"]
        );
        // `docs/*` does not reach into subdirectories; the global rule applies.
        assert_eq!(
            owners(&c, "docs/build-app/troubleshooting.md").unwrap(),
            ["@global"]
        );
        assert_eq!(owners(&c, "x/apps/y.rb").unwrap(), ["@octocat"]);
        // A rule without owners leaves the path unowned.
        assert!(owners(&c, "apps/github/z.rb").unwrap().is_empty());
        assert_eq!(c.rule_for("scripts/run.sh").unwrap().line, 7);
    }

    #[test]
    fn unsupported_syntax_is_reported() {
        let c = Codeowners::parse("CODEOWNERS", "!keep @a\n[ab].txt @b\nok @c\n");
        assert_eq!(c.errors.len(), 2);
        assert_eq!(c.errors[0].0, 1);
        assert_eq!(c.rules.len(), 1);
    }

    #[test]
    fn ownership_by_email_login_and_team() {
        let mut d = Directory::default();
        d.logins.insert("ann@corp.io".into(), "@ann".into());
        d.teams.insert(
            "@org/infra".into(),
            vec!["@bob".into(), "cy@corp.io".into()],
        );
        let ann = d.identify("Ann@corp.io");
        let bob = d.identify("99+bob@users.noreply.github.com");
        let cy = d.identify("cy@corp.io");
        let eve = d.identify("eve@corp.io");
        let infra = vec!["@org/infra".to_string()];
        assert_eq!(d.ownership(&ann, &["@ann".into()]), Ownership::Owner);
        assert_eq!(d.ownership(&bob, &infra), Ownership::Owner);
        assert_eq!(d.ownership(&cy, &infra), Ownership::Owner);
        assert_eq!(d.ownership(&ann, &infra), Ownership::NotOwner);
        assert_eq!(d.ownership(&eve, &["@ann".into()]), Ownership::Unknown);
        assert_eq!(
            d.ownership(&eve, &["ann@corp.io".into()]),
            Ownership::NotOwner
        );
        assert_eq!(
            d.ownership(&eve, &["@other/team".into()]),
            Ownership::Unknown
        );
    }
}
