//! Recursive functions. Rego forbids recursion and OPA refuses such policies when it compiles
//! them. regorus stops recursive rules while evaluating, but a recursive function would run
//! until the native stack overflows and takes the process down, so the call graph of the
//! policy's functions is checked for cycles before anything is evaluated.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead, Span};

/// A function that calls itself, directly or through others.
#[derive(Debug, Clone)]
pub struct Cycle {
    /// Where the function is defined.
    pub span: Span,
    /// The functions of the cycle, starting and ending with this one.
    pub path: Vec<String>,
}

/// Every recursive function of `modules`, once each, sorted by name.
pub fn recursive_functions(modules: &[Ref<Module>]) -> Vec<Cycle> {
    let mut defined: BTreeMap<String, Span> = BTreeMap::new();
    let mut calls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pending: Vec<(String, Vec<String>)> = Vec::new();
    for module in modules {
        let Some(package) = path_of(&module.package.refr) else {
            continue;
        };
        let package = format!("data.{package}");
        let imports: BTreeMap<String, String> = module
            .imports
            .iter()
            .filter_map(|import| {
                let target = path_of(&import.refr)?;
                let alias = match &import.r#as {
                    Some(alias) => alias.text().to_string(),
                    None => target.rsplit('.').next()?.to_string(),
                };
                Some((alias, target))
            })
            .collect();
        for rule in &module.policy {
            let Rule::Spec {
                head: RuleHead::Func { refr, assign, .. },
                bodies,
                ..
            } = rule.as_ref()
            else {
                continue;
            };
            let Some(name) = path_of(refr) else { continue };
            let name = format!("{package}.{name}");
            defined
                .entry(name.clone())
                .or_insert_with(|| refr.span().clone());
            let mut called = Vec::new();
            if let Some(assign) = assign {
                calls_in_expr(&assign.value, &mut called);
            }
            for body in bodies {
                if let Some(assign) = &body.assign {
                    calls_in_expr(&assign.value, &mut called);
                }
                calls_in_query(&body.query, &mut called);
            }
            let resolved = called
                .into_iter()
                .map(|callee| resolve(&callee, &package, &imports))
                .collect();
            pending.push((name, resolved));
        }
    }
    for (caller, callees) in pending {
        let edges = calls.entry(caller).or_default();
        edges.extend(callees.into_iter().filter(|c| defined.contains_key(c)));
    }
    defined
        .iter()
        .filter_map(|(name, span)| {
            cycle_from(name, &calls).map(|path| Cycle {
                span: span.clone(),
                path,
            })
        })
        .collect()
}

/// The shortest call path from `start` back to itself, if there is one.
fn cycle_from(start: &str, calls: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue: VecDeque<&str> = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in calls.get(node).into_iter().flatten() {
            if next == start {
                let mut back = Vec::new();
                let mut at = node;
                while at != start {
                    back.push(at.to_string());
                    at = parent[at];
                }
                back.reverse();
                let mut path = vec![start.to_string()];
                path.extend(back);
                path.push(start.to_string());
                return Some(path);
            }
            if !parent.contains_key(next.as_str()) {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// The full `data.…` path of a called name, as regorus resolves it: absolute paths stay,
/// a leading import alias is replaced by its target, other names are package-relative.
fn resolve(callee: &str, package: &str, imports: &BTreeMap<String, String>) -> String {
    if callee.starts_with("data.") {
        return callee.to_string();
    }
    let (head, rest) = callee.split_once('.').unwrap_or((callee, ""));
    match imports.get(head) {
        Some(target) if rest.is_empty() => target.clone(),
        Some(target) => format!("{target}.{rest}"),
        None => format!("{package}.{callee}"),
    }
}

/// The dotted path of a plain reference (`a`, `a.b`, `a["b"]`), if it is one.
pub(super) fn path_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Var { span, .. } => Some(span.text().to_string()),
        Expr::RefDot { refr, field, .. } => Some(format!("{}.{}", path_of(refr)?, field.0.text())),
        Expr::RefBrack { refr, index, .. } => match index.as_ref() {
            Expr::String { value, .. } => {
                Some(format!("{}.{}", path_of(refr)?, value.as_string().ok()?))
            }
            _ => None,
        },
        _ => None,
    }
}

fn calls_in_query(query: &Query, out: &mut Vec<String>) {
    for stmt in &query.stmts {
        // `… with g as f` makes the statement's calls of `g` calls of `f`.
        for modifier in &stmt.with_mods {
            calls_in_expr(&modifier.r#as, out);
            if let Some(name) = path_of(&modifier.r#as) {
                out.push(name);
            }
        }
        match &stmt.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn {
                key,
                value,
                collection,
                ..
            } => {
                if let Some(key) = key {
                    calls_in_expr(key, out);
                }
                calls_in_expr(value, out);
                calls_in_expr(collection, out);
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => calls_in_expr(expr, out),
            Literal::Every { domain, query, .. } => {
                calls_in_expr(domain, out);
                calls_in_query(query, out);
            }
        }
    }
}

fn calls_in_expr(expr: &Expr, out: &mut Vec<String>) {
    match expr {
        Expr::Call { fcn, params, .. } => {
            if let Some(name) = path_of(fcn) {
                out.push(name);
            }
            for p in params {
                calls_in_expr(p, out);
            }
        }
        Expr::Array { items, .. } | Expr::Set { items, .. } => {
            for item in items {
                calls_in_expr(item, out);
            }
        }
        Expr::Object { fields, .. } => {
            for (_, key, value) in fields {
                calls_in_expr(key, out);
                calls_in_expr(value, out);
            }
        }
        Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
            calls_in_expr(term, out);
            calls_in_query(query, out);
        }
        Expr::ObjectCompr {
            key, value, query, ..
        } => {
            calls_in_expr(key, out);
            calls_in_expr(value, out);
            calls_in_query(query, out);
        }
        Expr::UnaryExpr { expr, .. } => calls_in_expr(expr, out),
        Expr::RefDot { refr, .. } => calls_in_expr(refr, out),
        Expr::RefBrack { refr, index, .. } => {
            calls_in_expr(refr, out);
            calls_in_expr(index, out);
        }
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => {
            calls_in_expr(lhs, out);
            calls_in_expr(rhs, out);
        }
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => {
            if let Some(key) = key {
                calls_in_expr(key, out);
            }
            calls_in_expr(value, out);
            calls_in_expr(collection, out);
        }
        // Literals and variables call nothing; the catch-all also covers variants that
        // optional regorus features add.
        #[allow(unreachable_patterns)]
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regorus::Engine;

    fn cycles(modules: &[(&str, &str)]) -> Vec<Vec<String>> {
        let mut engine = Engine::new();
        for (name, text) in modules {
            engine
                .add_policy(name.to_string(), text.to_string())
                .expect("valid module");
        }
        recursive_functions(engine.get_modules())
            .into_iter()
            .map(|c| c.path)
            .collect()
    }

    #[test]
    fn finds_recursion_through_with() {
        let found = cycles(&[(
            "a.rego",
            "package a\nf(x) := y if { y := g(x) with g as f }\ng(x) := x\n",
        )]);
        assert_eq!(found, vec![vec!["data.a.f", "data.a.f"]]);
    }

    #[test]
    fn finds_direct_and_mutual_recursion() {
        let found = cycles(&[(
            "a.rego",
            "package a\nf(x) := y if { y := f(x) }\ng(x) := h(x)\nh(x) := [g(x)]\nok(x) := x + 1\n",
        )]);
        assert_eq!(
            found,
            vec![
                vec!["data.a.f", "data.a.f"],
                vec!["data.a.g", "data.a.h", "data.a.g"],
                vec!["data.a.h", "data.a.g", "data.a.h"],
            ]
        );
    }

    #[test]
    fn follows_imports_across_packages() {
        let found = cycles(&[
            (
                "a.rego",
                "package a\nimport data.lib.util\nf(x) := util.g(x)\n",
            ),
            ("b.rego", "package lib.util\ng(x) := data.a.f(x)\n"),
        ]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0], vec!["data.a.f", "data.lib.util.g", "data.a.f"]);
    }

    #[test]
    fn accepts_functions_calling_builtins_and_each_other_without_cycles() {
        let found = cycles(&[(
            "a.rego",
            "package a\nf(x) := g(lower(x))\ng(x) := count(x)\ndeny contains m if { m := sprintf(\"%d\", [f(\"a\")]) }\n",
        )]);
        assert!(found.is_empty(), "{found:?}");
    }
}
