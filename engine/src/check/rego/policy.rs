//! A compiled set of Rego modules with its data, the conftest rules of each package, and the
//! evaluation of one input under a time limit.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use assay_collectors::formats::yaml;
use assay_collectors::limits::{bracket_depth_over, too_deep, MAX_DEPTH};
use assay_collectors::{LineIndex, Position};
use regorus::unstable::{Expr, Module, Ref, Rule, RuleHead};
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, LimitError, Value};

use super::builtins;
use super::conventions::{
    count_exceptions, exception_name, messages, rule_kind, Message, RuleKind,
};
use super::recursion::{path_of, recursive_functions};
use super::source::{ModuleSource, RegoError};
use crate::check::Budget;
use crate::diag::Diagnostic;

/// How long one input may take when a check sets no limit.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// How modules are read and evaluated.
#[derive(Debug, Clone, Copy)]
pub struct PolicyOptions {
    /// Read modules as Rego v0 (`deny[msg] { … }`), like `conftest --rego-version v0`.
    pub rego_v0: bool,
    /// Time one input may take over all rules; evaluation is stopped past it.
    pub timeout: Duration,
}

impl Default for PolicyOptions {
    fn default() -> Self {
        Self {
            rego_v0: false,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// A data document and the file it came from (for messages).
#[derive(Debug, Clone)]
pub struct DataSource {
    pub origin: String,
    pub value: serde_json::Value,
}

impl DataSource {
    /// Parses a JSON or YAML data file (by its extension; one document).
    pub fn parse(origin: &str, bytes: &[u8]) -> Result<DataSource, Diagnostic> {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            Diagnostic::new(origin, "not UTF-8 text").hint("save the data file as UTF-8")
        })?;
        let value = if origin.ends_with(".json") {
            serde_json::from_str(text).map_err(|e| {
                Diagnostic::new(origin, format!("invalid JSON: {e}"))
                    .at(Some(Position::new(e.line() as u32, e.column() as u32)))
            })?
        } else {
            let mut docs = yaml::parse(text).map_err(|e| {
                Diagnostic::new(origin, format!("invalid YAML: {}", e.message)).at(Some(e.position))
            })?;
            if docs.len() != 1 {
                return Err(Diagnostic::new(
                    origin,
                    format!("expected one YAML document, found {}", docs.len()),
                )
                .hint("a data file holds one document, merged at the data root"));
            }
            docs.remove(0).data
        };
        Ok(DataSource {
            origin: origin.to_string(),
            value,
        })
    }
}

/// The conftest rules of one package.
#[derive(Debug, Clone, Default)]
pub struct Package {
    /// Rules named by the conventions, with the kind of their results, sorted by name.
    pub rules: BTreeMap<String, RuleKind>,
    /// Whether the package has a plain `exception` rule.
    pub exceptions: bool,
    /// The module that declares the package first, and the line of its `package`.
    pub file: String,
    pub line: u32,
    /// Every module that declares the package, in load order.
    pub files: Vec<String>,
}

/// Rego modules compiled once; every evaluation starts from a clone of the prepared engine.
#[derive(Debug)]
pub struct PolicySet {
    engine: Engine,
    modules: Vec<ModuleSource>,
    packages: BTreeMap<String, Package>,
    timeout: Duration,
}

/// What one input gave under one package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Messages of failure rules.
    pub failures: Vec<Message>,
    /// Messages of warning rules.
    pub warnings: Vec<Message>,
    /// Results suppressed by an exception, as (rule, message).
    pub waived: Vec<(String, Message)>,
    /// The exception names that matched, once per solution of conftest's exception query.
    pub exceptions: Vec<String>,
}

impl Outcome {
    /// Resolves the line of every message that names a node, with `line_of` (a pointer below
    /// the input to its line).
    pub fn locate(&mut self, line_of: impl Fn(&str) -> u32) {
        let all = self
            .failures
            .iter_mut()
            .chain(self.warnings.iter_mut())
            .chain(self.waived.iter_mut().map(|(_, m)| m));
        for message in all {
            message.line = message.pointer.as_deref().map(&line_of);
        }
    }
}

/// Why an input could not be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The policy failed (a builtin error, conflicting values, a recursive rule).
    Eval(String),
    /// The input took longer than the time limit.
    Limit(String),
    /// A result conftest refuses (an object without a string `msg`).
    Result(String),
}

impl EvalError {
    pub fn message(&self) -> &str {
        match self {
            EvalError::Eval(m) | EvalError::Limit(m) | EvalError::Result(m) => m,
        }
    }
}

impl PolicySet {
    /// Parses and prepares `modules` with `data` merged at the data root. Every problem of
    /// every module is reported, each at its file:line:column.
    pub fn compile(
        modules: Vec<ModuleSource>,
        data: &[DataSource],
        options: PolicyOptions,
    ) -> Result<PolicySet, Vec<Diagnostic>> {
        let mut engine = Engine::new();
        engine.set_rego_v0(options.rego_v0);
        let mut errors = Vec::new();
        if let Err(e) = builtins::register(&mut engine) {
            errors.push(Diagnostic::new(
                "policy",
                format!("cannot install builtins: {e}"),
            ));
        }
        for module in &modules {
            // regorus parses nested expressions recursively, and slowly when they are deep:
            // text nested past the limit never reaches it.
            if let Some(at) = bracket_depth_over(&module.text, b"([{", b")]}", MAX_DEPTH, true) {
                let at = LineIndex::new(&module.text).position(at);
                let error = RegoError {
                    at: Some((module.file.clone(), at.line, at.column)),
                    message: format!("the policy text is {}", too_deep()),
                };
                errors.push(
                    error
                        .diagnostic(&modules, &module.file)
                        .hint("split the expression into smaller rules"),
                );
                continue;
            }
            if let Err(e) = engine.add_policy(module.file.clone(), module.text.clone()) {
                let error = RegoError::parse(&e.to_string());
                let mut d = error.diagnostic(&modules, &module.file);
                d = if !options.rego_v0 && is_v0_syntax(&error.message) {
                    d.hint("this is Rego v0 syntax: write `deny contains msg if { … }`, or read the module as v0 (`rego_v0: true` in the check, `--rego-v0` on the command line)")
                } else {
                    d.hint("fix the Rego syntax at this position")
                };
                errors.push(d);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let parsed = engine.get_modules().clone();
        let packages = index_packages(&parsed, &modules, &mut errors);
        for cycle in recursive_functions(&parsed) {
            let (name, line, column) = span_at(&cycle.span);
            let error = RegoError {
                at: Some((name, line, column)),
                message: format!(
                    "function `{}` is recursive: {}",
                    cycle.path[0],
                    cycle.path.join(" → ")
                ),
            };
            errors.push(
                error
                    .diagnostic(&modules, "policy")
                    .hint("Rego does not allow recursion; compute the result without calling the function from itself"),
            );
        }
        for source in data {
            let value = match to_value(&source.value) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(Diagnostic::new(&source.origin, e));
                    continue;
                }
            };
            if let Err(e) = engine.add_data(value) {
                errors.push(
                    Diagnostic::new(&source.origin, format!("cannot merge data: {e}"))
                        .hint("data documents are merged at the root; two of them set the same key to different values"),
                );
            }
        }
        if errors.is_empty() {
            // Analyse and schedule the modules now, once, so that clones start prepared.
            if let Err(e) = engine.eval_query("true".to_string(), false) {
                errors.push(RegoError::parse(&e.to_string()).diagnostic(&modules, "policy"));
            }
        }
        if !errors.is_empty() {
            errors.sort();
            errors.dedup();
            return Err(errors);
        }
        Ok(PolicySet {
            engine,
            modules,
            packages,
            timeout: options.timeout,
        })
    }

    /// Every package of the set, by name (`main`, `kubernetes.security`).
    pub fn packages(&self) -> &BTreeMap<String, Package> {
        &self.packages
    }

    /// The modules of the set.
    pub fn modules(&self) -> &[ModuleSource] {
        &self.modules
    }

    /// A prepared engine to evaluate inputs with; one per thread.
    pub fn engine(&self) -> Engine {
        self.engine.clone()
    }

    /// Evaluates the `rules` of package `namespace` (as conftest does) for one input.
    pub fn evaluate(
        &self,
        engine: &mut Engine,
        namespace: &str,
        rules: &[(String, RuleKind)],
        input: Value,
        budget: &Budget,
    ) -> Result<Outcome, EvalError> {
        let started = Instant::now();
        engine.set_input(input);
        let mut eval = |path: String| -> Result<Value, EvalError> {
            let input_left = self.timeout.saturating_sub(started.elapsed());
            let left = input_left.min(budget.left());
            if left.is_zero() {
                return Err(self.time_limit(budget));
            }
            engine.set_execution_timer_config(ExecutionTimerConfig {
                limit: left,
                check_interval: NonZeroU32::MIN.saturating_add(63),
            });
            engine.eval_rule(path).map_err(|e| {
                if e.downcast_ref::<LimitError>().is_some() {
                    self.time_limit(budget)
                } else {
                    EvalError::Eval(RegoError::parse(&e.to_string()).one_line(&self.modules))
                }
            })
        };
        let has_exceptions = self.packages.get(namespace).is_some_and(|p| p.exceptions);
        let exceptions = if has_exceptions {
            eval(format!("data.{namespace}.exception"))?
        } else {
            Value::Undefined
        };
        let mut outcome = Outcome::default();
        for (rule, kind) in rules {
            let name = exception_name(rule);
            let hits = count_exceptions(&exceptions, name);
            let value = eval(format!("data.{namespace}.{rule}"))?;
            let found = messages(&value).map_err(EvalError::Result)?;
            outcome
                .exceptions
                .extend(std::iter::repeat_n(name.to_string(), hits));
            if hits > 0 {
                outcome
                    .waived
                    .extend(found.into_iter().map(|m| (rule.clone(), m)));
            } else if *kind == RuleKind::Failure {
                outcome.failures.extend(found);
            } else {
                outcome.warnings.extend(found);
            }
        }
        Ok(outcome)
    }

    /// The error of an evaluation stopped by its timer: the control's budget when that is
    /// what ran out, else the time limit of one input.
    fn time_limit(&self, budget: &Budget) -> EvalError {
        if budget.is_spent() {
            return EvalError::Limit(budget.spent_message());
        }
        EvalError::Limit(format!(
            "evaluation stopped: the input took longer than the time limit of {} ms",
            self.timeout.as_millis()
        ))
    }
}

/// Whether a parse error is one that Rego v0 syntax causes in v1 mode.
fn is_v0_syntax(message: &str) -> bool {
    message.contains("`if` keyword is required") || message.contains("`contains` keyword")
}

/// The module name, line and column of a span.
fn span_at(span: &regorus::unstable::Span) -> (String, u32, u32) {
    (span.source.get_path().clone(), span.line, span.col)
}

/// The conftest rules of every package, and diagnostics for rules conftest refuses.
fn index_packages(
    parsed: &[Ref<Module>],
    modules: &[ModuleSource],
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Package> {
    let mut packages: BTreeMap<String, Package> = BTreeMap::new();
    for module in parsed {
        let Some(name) = path_of(&module.package.refr) else {
            continue;
        };
        let (file, line, column) = span_at(&module.package.span);
        let source = modules.iter().find(|m| m.file == file);
        let package = packages.entry(name).or_insert_with(|| Package {
            file: source.map_or_else(|| file.clone(), |m| m.file.clone()),
            line: source.map_or(line, |m| m.position(line, column).line),
            ..Package::default()
        });
        if !package.files.contains(&file) {
            package.files.push(file);
        }
        for rule in &module.policy {
            let (refr, object_true) = match rule.as_ref() {
                Rule::Spec { head, .. } => match head {
                    RuleHead::Compr { refr, assign, .. } => (refr, assign.is_none()),
                    RuleHead::Set { refr, .. } => (refr, false),
                    RuleHead::Func { .. } => continue,
                },
                Rule::Default { refr, .. } => (refr, false),
            };
            match refr.as_ref() {
                Expr::Var { span, .. } => {
                    let name = span.text();
                    if name == "exception" {
                        package.exceptions = true;
                    } else if let Some(kind) = rule_kind(name) {
                        package.rules.insert(name.to_string(), kind);
                    }
                }
                // `deny[msg] if { … }` in Rego v1 is an object rule `deny[msg] = true`, not
                // a set of messages; conftest refuses such policies (opa#6509).
                Expr::RefBrack { refr: base, .. } if object_true => {
                    let Expr::Var { span, .. } = base.as_ref() else {
                        continue;
                    };
                    if rule_kind(span.text()).is_some() {
                        let (name, line, column) = span_at(refr.span());
                        let error = RegoError {
                            at: Some((name, line, column)),
                            message: format!(
                                "`{}[…] if` defines an object rule whose values are `true`, not a set of messages",
                                span.text()
                            ),
                        };
                        errors.push(error.diagnostic(modules, "policy").hint(format!(
                            "write `{} contains msg if {{ … }}` (conftest refuses this form too)",
                            span.text()
                        )));
                    }
                }
                _ => {}
            }
        }
    }
    packages
}

/// Converts one of assay's JSON values into a regorus value without copying it first.
pub fn to_value(value: &serde_json::Value) -> Result<Value, String> {
    serde::Deserialize::deserialize(value).map_err(|e: serde_json::Error| e.to_string())
}
