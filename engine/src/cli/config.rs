//! `assay config`: the effective configuration of a scan, each value with where it came from
//! (a flag, an environment variable, `assay.yaml:LINE` or the default).

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, ValueEnum};
use serde::Serialize;
use serde_json::Value;

use super::project::ProjectArgs;
use super::scan::GateArgs;
use super::{Cli, Exit};
use crate::config::Config;
use crate::score::Thresholds;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    gate: GateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: ConfigFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ConfigFormat {
    Text,
    Json,
}

/// One effective setting.
#[derive(Debug, Serialize)]
struct Setting {
    key: String,
    value: String,
    /// `default`, `--flag`, `env NAME` or `FILE:LINE`.
    origin: String,
}

/// The keys of assay.yaml resolved with their flags and defaults; every other value the file
/// writes is listed as written.
const RESOLVED: [&str; 12] = [
    "/frameworks",
    "/builtin",
    "/controls",
    "/waivers",
    "/gate",
    "/thresholds",
    "/soc2_categories",
    "/suppressions",
    "/collectors/config/include",
    "/collectors/config/exclude",
    "/evidence/keep",
    "/skip",
];

pub fn run(args: ConfigArgs, top: &ArgMatches) -> Exit {
    let project = match args.project.open() {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let matches = top.subcommand_matches("config").unwrap_or(top);
    let settings = Resolver {
        config: &project.config,
        root: &args.project.path,
        top,
        matches,
    }
    .settings(&args);
    match args.format {
        ConfigFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&settings).expect("serializable")
        ),
        ConfigFormat::Text => {
            let key = settings.iter().map(|s| s.key.len()).max().unwrap_or(0);
            let value = settings
                .iter()
                .map(|s| s.value.chars().count().min(48))
                .max()
                .unwrap_or(0);
            for s in &settings {
                println!("{:key$}  {:value$}  ({})", s.key, s.value, s.origin);
            }
        }
    }
    Exit::Passed
}

struct Resolver<'a> {
    config: &'a Config,
    /// The scan root, which files are named under.
    root: &'a std::path::Path,
    /// The whole command line (global flags) and that of `assay config`.
    top: &'a ArgMatches,
    matches: &'a ArgMatches,
}

impl Resolver<'_> {
    /// Where the argument `id` got its value, when a flag or the environment gave it.
    fn given(&self, id: &str) -> Option<String> {
        let source = [self.matches, self.top]
            .into_iter()
            .find(|m| m.try_contains_id(id).is_ok())?
            .value_source(id)?;
        let cli = Cli::command();
        let arg_of = |c: &clap::Command| c.get_arguments().find(|a| a.get_id() == id).cloned();
        let arg = cli
            .find_subcommand("config")
            .and_then(arg_of)
            .or_else(|| arg_of(&cli))?;
        match source {
            ValueSource::CommandLine => Some(format!("--{}", arg.get_long()?)),
            ValueSource::EnvVariable => Some(format!("env {}", arg.get_env()?.to_string_lossy())),
            _ => None,
        }
    }

    /// The origin of a value: the flag, else the file at `pointer`, else `default`.
    fn origin(&self, id: Option<&str>, pointer: Option<&str>) -> String {
        id.and_then(|id| self.given(id))
            .or_else(|| pointer.and_then(|p| self.config.origin(p, self.root)))
            .unwrap_or_else(|| "default".into())
    }

    fn settings(&self, args: &ConfigArgs) -> Vec<Setting> {
        let file = &self.config.file;
        let project = &args.project;
        let mut out = Vec::new();
        let mut push = |key: &str, value: String, origin: String| {
            out.push(Setting {
                key: key.into(),
                value,
                origin,
            })
        };
        push(
            "config",
            self.config
                .path
                .as_ref()
                .map_or_else(|| "none found".into(), |p| p.display().to_string()),
            self.given("config").unwrap_or_else(|| {
                match self.config.path {
                    Some(_) => "found in the scan root or a parent",
                    None => "default",
                }
                .into()
            }),
        );
        let frameworks = match (&project.frameworks[..], &file.frameworks) {
            ([], None) => "all".into(),
            ([], Some(f)) => f
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            (given, _) => given.join(", "),
        };
        push(
            "frameworks",
            frameworks,
            self.origin(Some("frameworks"), Some("/frameworks")),
        );
        let soc2 = file.soc2_categories.as_ref().map_or_else(
            || "all".into(),
            |c| {
                c.iter()
                    .map(|c| format!("{c:?}").to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        );
        push(
            "soc2_categories",
            soc2,
            self.origin(None, Some("/soc2_categories")),
        );
        let builtin = !project.catalog.no_builtin && file.builtin.unwrap_or(true);
        push(
            "builtin",
            builtin.to_string(),
            self.origin(Some("no_builtin"), Some("/builtin")),
        );
        for dir in &project.catalog.controls {
            push(
                "controls",
                dir.display().to_string(),
                self.origin(Some("controls"), None),
            );
        }
        for (i, dir) in file.controls.iter().enumerate() {
            push(
                "controls",
                dir.display().to_string(),
                self.origin(None, Some(&format!("/controls/{i}"))),
            );
        }
        for id in &project.only_controls {
            push(
                "control",
                id.clone(),
                self.origin(Some("only_controls"), None),
            );
        }
        for (i, s) in file.skip.iter().enumerate() {
            push(
                "skip",
                format!("{}: {}", s.control, s.reason),
                self.origin(None, Some(&format!("/skip/{i}"))),
            );
        }
        for id in &project.skip_controls {
            push("skip", id.clone(), self.origin(Some("skip_controls"), None));
        }
        let waivers = project
            .waivers
            .as_ref()
            .or(file.waivers.as_ref())
            .map_or_else(|| "none".into(), |p| p.display().to_string());
        push(
            "waivers",
            waivers,
            self.origin(Some("waivers"), Some("/waivers")),
        );
        let collector = self.config.config_collector();
        for (key, given, written) in [
            ("include", &project.include, &collector.include),
            ("exclude", &project.exclude, &collector.exclude),
        ] {
            let value = if given.is_empty() { written } else { given };
            push(
                key,
                if value.is_empty() {
                    "none".into()
                } else {
                    value.join(", ")
                },
                self.origin(Some(key), Some(&format!("/collectors/config/{key}"))),
            );
        }
        let gate = args.gate.gate(&file.gate);
        push(
            "gate.fail_under",
            gate.fail_under
                .map_or_else(|| "none".into(), |v| format!("{v} %")),
            self.origin(Some("fail_under"), Some("/gate/fail_under")),
        );
        push(
            "gate.fail_on",
            gate.fail_on.as_str().into(),
            self.origin(Some("fail_on"), Some("/gate/fail_on")),
        );
        push(
            "gate.soft_fail",
            gate.soft_fail.to_string(),
            self.origin(Some("soft_fail"), Some("/gate/soft_fail")),
        );
        push(
            "gate.include_attestations",
            gate.include_attestations.to_string(),
            self.origin(None, Some("/gate/include_attestations")),
        );
        let Thresholds { green, amber } = self.config.thresholds();
        push(
            "thresholds.green",
            format!("{green} %"),
            self.origin(None, Some("/thresholds/green")),
        );
        push(
            "thresholds.amber",
            format!("{amber} %"),
            self.origin(None, Some("/thresholds/amber")),
        );
        push(
            "suppressions.inline",
            file.suppressions.inline.to_string(),
            self.origin(None, Some("/suppressions/inline")),
        );
        push(
            "evidence.keep",
            serde_json::to_value(file.evidence.keep)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            self.origin(None, Some("/evidence/keep")),
        );
        push(
            "threads",
            self.top
                .get_one::<usize>("threads")
                .map_or_else(|| "one per core".into(), usize::to_string),
            self.origin(Some("threads"), None),
        );
        push(
            "allow_network",
            project.allow_network.to_string(),
            self.origin(Some("allow_network"), None),
        );
        if let Some(written) = self.config.written() {
            self.written(written, "", &mut push);
        }
        out
    }

    /// Every other value the file writes, by dotted key.
    fn written(&self, value: &Value, pointer: &str, push: &mut impl FnMut(&str, String, String)) {
        if RESOLVED
            .iter()
            .any(|r| pointer == *r || pointer.starts_with(&format!("{r}/")))
        {
            return;
        }
        let nested = |v: &Value| v.is_object() || v.is_array();
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    self.written(
                        v,
                        &format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1")),
                        push,
                    );
                }
            }
            Value::Array(items) if items.iter().any(nested) => {
                for (i, v) in items.iter().enumerate() {
                    self.written(v, &format!("{pointer}/{i}"), push);
                }
            }
            leaf => {
                let shown = match leaf {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let key = pointer.trim_start_matches('/').replace('/', ".");
                push(&key, shown, self.origin(None, Some(pointer)));
            }
        }
    }
}
