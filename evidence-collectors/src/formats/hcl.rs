//! HCL (Terraform) parser built on `hcl-edit`, producing the Terraform JSON configuration
//! syntax: the shape a `.tf.json` file with the same meaning would have.
//!
//! * A labelled block nests by its labels: `resource "t" "n" { .. }` becomes
//!   `{"resource": {"t": {"n": {..}}}}`. If the same type and labels appear again (two
//!   `provider "aws"` blocks with aliases), the entry becomes an array of every occurrence.
//! * A block without labels (`terraform`, `locals`, and nested blocks such as `ingress`) becomes
//!   an array with one object per occurrence, in source order.
//! * Literal values become JSON; strings and heredocs without interpolation become their text.
//!   A template with interpolations or directives becomes its template text (`"arn:${var.p}"`),
//!   and any other expression (references, function calls, conditionals, operations, `for`
//!   expressions) becomes `"${<source text>}"`, as a `.tf.json` author would write it.
//! * A name used by both an attribute and a block in one body keeps whichever came first (HCL
//!   itself rejects repeated attributes).

use hcl_edit::expr::{Expression, ObjectKey, UnaryOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span;
use serde_json::{Map, Number, Value};

use super::lowercase_first;
use super::{ParseError, Parsed};
use crate::limits::{bracket_depth_over, too_deep, MAX_DEPTH};
use crate::lines::{pointer_push, LineIndex, LineMap, Position};

/// Parses an HCL body (`.tf`, `.hcl`, `.tfvars`) into the Terraform JSON shape.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // hcl-edit recurses once per nesting level and has no limit of its own; brackets inside
    // strings count too, since interpolations nest through them.
    if let Some(at) = bracket_depth_over(text, b"{[(", b"}])", MAX_DEPTH, false) {
        return Err(ParseError::new(
            LineIndex::new(text).position(at),
            too_deep(),
        ));
    }
    let body = hcl_edit::parser::parse_body(text).map_err(|error| {
        let location = error.location();
        let position = Position::new(saturate(location.line()), saturate(location.column()));
        ParseError::new(position, lowercase_first(error.message()))
    })?;
    let mut converter = Converter {
        text,
        index: LineIndex::new(text),
        lines: LineMap::new(),
    };
    converter.lines.insert(String::new(), Position::new(1, 1));
    let data = Value::Object(converter.body(&body, ""));
    Ok(Parsed {
        data,
        lines: converter.lines,
    })
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

struct Converter<'a> {
    text: &'a str,
    index: LineIndex<'a>,
    lines: LineMap,
}

impl Converter<'_> {
    /// The source text of a spanned node.
    fn source(&self, node: &impl Span) -> &str {
        node.span()
            .and_then(|span| self.text.get(span))
            .unwrap_or_default()
    }

    fn body(&mut self, body: &Body, pointer: &str) -> Map<String, Value> {
        let mut map = Map::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let key = attribute.key.as_str();
                    if map.contains_key(key) {
                        continue;
                    }
                    let child = pointer_push(pointer, key);
                    self.lines
                        .insert_span(&mut self.index, &child, attribute.span());
                    let value = self.expression(&attribute.value, &child);
                    map.insert(key.to_owned(), value);
                }
                Structure::Block(block) => self.block(&mut map, block, pointer),
            }
        }
        map
    }

    /// Adds `block` to the body object `map` whose pointer is `pointer`.
    fn block(&mut self, map: &mut Map<String, Value>, block: &Block, pointer: &str) {
        let span = block.span();
        let ident = block.ident.as_str();
        let mut child = pointer_push(pointer, ident);

        let Some((last, outer)) = block.labels.split_last() else {
            let occurrences = map.entry(ident).or_insert_with(|| {
                self.lines
                    .insert_span(&mut self.index, &child, span.clone());
                Value::Array(Vec::new())
            });
            // Anything else means an attribute took the name first; it is kept.
            if let Value::Array(items) = occurrences {
                let item = pointer_push(&child, &items.len().to_string());
                self.lines.insert_span(&mut self.index, &item, span);
                items.push(Value::Object(self.body(&block.body, &item)));
            }
            return;
        };

        // One object level for the block type and each label but the last.
        let mut current = map;
        let mut key = ident;
        for label in outer
            .iter()
            .map(|label| label.as_str())
            .chain([last.as_str()])
        {
            let entry = current.entry(key).or_insert_with(|| {
                self.lines
                    .insert_span(&mut self.index, &child, span.clone());
                Value::Object(Map::new())
            });
            let Value::Object(next) = entry else {
                return;
            };
            current = next;
            key = label;
            child = pointer_push(&child, label);
        }
        // A repeated labelled block (e.g. two `provider "aws"` with aliases) turns the entry
        // into an array of every occurrence, as Terraform's JSON syntax writes it.
        match current.get_mut(key) {
            None => {
                self.lines.insert_span(&mut self.index, &child, span);
                let body = self.body(&block.body, &child);
                current.insert(key.to_owned(), Value::Object(body));
            }
            Some(existing) => {
                if existing.is_object() {
                    self.lines.move_prefix(&child, &pointer_push(&child, "0"));
                    let first = std::mem::take(existing);
                    *existing = Value::Array(vec![first]);
                    self.lines
                        .insert_span(&mut self.index, &child, span.clone());
                }
                if let Value::Array(items) = existing {
                    let item = pointer_push(&child, &items.len().to_string());
                    self.lines.insert_span(&mut self.index, &item, span);
                    let body = self.body(&block.body, &item);
                    items.push(Value::Object(body));
                }
            }
        }
    }

    fn expression(&mut self, expression: &Expression, pointer: &str) -> Value {
        match expression {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => {
                number(n.value(), false).unwrap_or_else(|| self.interpolated(n))
            }
            Expression::UnaryOp(op) => match (op.operator.value(), &op.expr) {
                (UnaryOperator::Neg, Expression::Number(n)) => {
                    number(n.value(), true).unwrap_or_else(|| self.interpolated(op))
                }
                _ => self.interpolated(op),
            },
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(array) => {
                let mut items = Vec::with_capacity(array.len());
                for (i, element) in array.iter().enumerate() {
                    let child = pointer_push(pointer, &i.to_string());
                    self.lines
                        .insert_span(&mut self.index, &child, element.span());
                    items.push(self.expression(element, &child));
                }
                Value::Array(items)
            }
            Expression::Object(object) => {
                let mut map = Map::new();
                for (key, value) in object.iter() {
                    let name = self.object_key(key);
                    if map.contains_key(&name) {
                        continue;
                    }
                    let child = pointer_push(pointer, &name);
                    self.lines.insert_span(&mut self.index, &child, key.span());
                    let value = self.expression(value.expr(), &child);
                    map.insert(name, value);
                }
                Value::Object(map)
            }
            Expression::StringTemplate(template) => Value::String(self.template(template)),
            Expression::HeredocTemplate(heredoc) => Value::String(self.template(&heredoc.template)),
            other => self.interpolated(other),
        }
    }

    /// `"${<source>}"`, the `.tf.json` spelling of an expression that is not a literal.
    fn interpolated(&self, node: &impl Span) -> Value {
        Value::String(format!("${{{}}}", self.source(node)))
    }

    fn object_key(&self, key: &ObjectKey) -> String {
        match key {
            ObjectKey::Ident(ident) => ident.as_str().to_owned(),
            ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
            ObjectKey::Expression(Expression::StringTemplate(template)) => self.template(template),
            ObjectKey::Expression(other) => format!("${{{}}}", self.source(other)),
        }
    }

    /// The string a template evaluates to when it is only literal text, else its template text
    /// with interpolations and directives as written and literal `${`/`%{` escaped.
    fn template(&self, template: &Template) -> String {
        let mut out = String::new();
        if template.iter().all(Element::is_literal) {
            for element in template.iter() {
                if let Element::Literal(literal) = element {
                    out.push_str(literal.value());
                }
            }
            return out;
        }
        for element in template.iter() {
            match element {
                Element::Literal(literal) => {
                    out.push_str(&literal.replace("${", "$${").replace("%{", "%%{"));
                }
                Element::Interpolation(interpolation) => out.push_str(self.source(interpolation)),
                Element::Directive(directive) => out.push_str(self.source(directive.as_ref())),
            }
        }
        out
    }
}

/// A number literal, negated for `-<literal>`; `None` if JSON cannot represent it.
fn number(n: &hcl_edit::Number, negative: bool) -> Option<Value> {
    let integer = if negative {
        n.as_i64()
            .and_then(i64::checked_neg)
            .or_else(|| n.as_u64().and_then(|u| 0i64.checked_sub_unsigned(u)))
            .map(Value::from)
    } else {
        n.as_u64()
            .map(Value::from)
            .or_else(|| n.as_i64().map(Value::from))
    };
    integer.or_else(|| {
        let f = n.as_f64()?;
        Number::from_f64(if negative { -f } else { f }).map(Value::Number)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "x = ".to_string() + &"[".repeat(5_000) + &"]".repeat(5_000) + "\n";
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nesting limit"), "{err:?}");
        let blocks = "a {\n".repeat(200) + &"}\n".repeat(200);
        assert_eq!(parse(&blocks).unwrap_err().position.line, 129);
        let interpolated = "x = ".to_string() + &"\"${".repeat(300) + &"}\"".repeat(300);
        assert!(parse(&interpolated).is_err());
    }

    const S3: &str = r#"# a bucket
resource "aws_s3_bucket" "b" {
  bucket = "logs"
  acl    = "private" # trailing comment
  arn    = "arn:${var.p}:x"
  ref    = aws_kms_key.k.arn
  tags   = merge(var.tags, { Name = "b" })
  count  = var.enabled ? 1 : 0
  size   = 1.5
  ports  = [
    80,
    443,
  ]
  meta = {
    owner = "team"
    "a/b" = null
  }

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
    }
  }
}

resource "aws_s3_bucket" "c" {}

resource "aws_security_group" "sg" {
  ingress {
    from_port = 22
  }
  ingress {
    from_port = 443
  }
}
"#;

    #[test]
    fn labelled_blocks_nest_and_unlabelled_blocks_are_arrays() {
        let parsed = parse(S3).unwrap();
        assert_eq!(
            parsed.data,
            json!({
                "resource": {
                    "aws_s3_bucket": {
                        "b": {
                            "bucket": "logs",
                            "acl": "private",
                            "arn": "arn:${var.p}:x",
                            "ref": "${aws_kms_key.k.arn}",
                            "tags": "${merge(var.tags, { Name = \"b\" })}",
                            "count": "${var.enabled ? 1 : 0}",
                            "size": 1.5,
                            "ports": [80, 443],
                            "meta": {"owner": "team", "a/b": null},
                            "versioning": [{"enabled": true}],
                            "server_side_encryption_configuration": [{
                                "rule": [{
                                    "apply_server_side_encryption_by_default": [{
                                        "sse_algorithm": "aws:kms"
                                    }]
                                }]
                            }]
                        },
                        "c": {}
                    },
                    "aws_security_group": {
                        "sg": {"ingress": [{"from_port": 22}, {"from_port": 443}]}
                    }
                }
            })
        );
    }

    #[test]
    fn records_lines() {
        let parsed = parse(S3).unwrap();
        let line = |pointer: &str| parsed.lines.line(pointer).unwrap();
        assert_eq!(line(""), 1);
        assert_eq!(line("/resource"), 2);
        assert_eq!(line("/resource/aws_s3_bucket"), 2);
        assert_eq!(line("/resource/aws_s3_bucket/b"), 2);
        assert_eq!(line("/resource/aws_s3_bucket/b/acl"), 4);
        assert_eq!(line("/resource/aws_s3_bucket/b/ports/1"), 12);
        assert_eq!(line("/resource/aws_s3_bucket/b/meta/a~1b"), 16);
        assert_eq!(line("/resource/aws_s3_bucket/b/versioning"), 19);
        assert_eq!(line("/resource/aws_s3_bucket/b/versioning/0/enabled"), 20);
        assert_eq!(
            line("/resource/aws_s3_bucket/b/server_side_encryption_configuration/0/rule/0/apply_server_side_encryption_by_default/0/sse_algorithm"),
            26
        );
        assert_eq!(line("/resource/aws_s3_bucket/c"), 32);
        assert_eq!(line("/resource/aws_security_group"), 34);
        assert_eq!(line("/resource/aws_security_group/sg/ingress"), 35);
        assert_eq!(line("/resource/aws_security_group/sg/ingress/1"), 38);
        assert_eq!(
            line("/resource/aws_security_group/sg/ingress/1/from_port"),
            39
        );
        assert_eq!(
            parsed.lines.position("/resource/aws_s3_bucket/b/acl"),
            Some(Position::new(4, 3))
        );
    }

    #[test]
    fn top_level_unlabelled_blocks_and_other_block_kinds() {
        let text = r#"terraform {
  required_version = ">= 1.0"
  backend "s3" {
    encrypt = true
  }
}
locals {
  prefix = "${var.a}-${var.b}"
}
provider "aws" {
  region = var.region
}
variable "x" {
  type    = string
  default = ["a"]
}
data "aws_iam_policy_document" "p" {}
module "m" {
  source = "./m"
}
output "o" {
  value = module.m.id
}
"#;
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.data,
            json!({
                "terraform": [{"required_version": ">= 1.0", "backend": {"s3": {"encrypt": true}}}],
                "locals": [{"prefix": "${var.a}-${var.b}"}],
                "provider": {"aws": {"region": "${var.region}"}},
                "variable": {"x": {"type": "${string}", "default": ["a"]}},
                "data": {"aws_iam_policy_document": {"p": {}}},
                "module": {"m": {"source": "./m"}},
                "output": {"o": {"value": "${module.m.id}"}}
            })
        );
        assert_eq!(
            parsed.lines.line("/terraform/0/backend/s3/encrypt"),
            Some(4)
        );
        assert_eq!(parsed.lines.line("/locals/0/prefix"), Some(8));
        assert_eq!(parsed.lines.line("/output/o/value"), Some(22));
    }

    #[test]
    fn templates_and_heredocs() {
        let text = "a = \"plain \\\"q\\\" $${not}\"\n\
                    b = \"x-$${lit}-${var.y}\"\n\
                    c = \"%{ if var.on }yes%{ endif }\"\n\
                    d = <<EOT\nline one\nline two\nEOT\n\
                    e = <<-EOT\n    indented\n      more\n    EOT\n\
                    f = <<EOT\nhello ${var.name}\nEOT\n\
                    g = [for s in var.list : upper(s)]\n\
                    h = -var.n\n\
                    i = (1 + 2)\n";
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.data,
            json!({
                "a": "plain \"q\" ${not}",
                "b": "x-$${lit}-${var.y}",
                "c": "%{ if var.on }yes%{ endif }",
                "d": "line one\nline two\n",
                "e": "indented\n  more\n",
                "f": "hello ${var.name}\n",
                "g": "${[for s in var.list : upper(s)]}",
                "h": "${-var.n}",
                "i": "${(1 + 2)}"
            })
        );
        assert_eq!(parsed.lines.line("/e"), Some(8));
        assert_eq!(parsed.lines.line("/g"), Some(15));
    }

    #[test]
    fn repeated_labelled_blocks_become_arrays_and_attributes_keep_the_first() {
        let text =
            "provider \"aws\" {\n  region = \"a\"\n}\nprovider \"aws\" {\n  region = \"b\"\n}\n";
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.data,
            json!({"provider": {"aws": [{"region": "a"}, {"region": "b"}]}})
        );
        assert_eq!(parsed.lines.line("/provider/aws/0/region"), Some(2));
        assert_eq!(parsed.lines.line("/provider/aws/1/region"), Some(5));
        assert_eq!(parsed.lines.line("/provider/aws/1"), Some(4));

        // Blocks and attributes share one namespace per body: the first to use a name keeps it.
        let text = "rule = 1\nrule {\n  a = 1\n}\nlabel = 2\nlabel \"x\" {}\nb {}\nb = 3\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.data, json!({"rule": 1, "label": 2, "b": [{}]}));
        assert_eq!(parsed.lines.line("/b"), Some(7));

        // Repeated attribute names are a syntax error in HCL.
        let error = parse("x = 1\nx = 2\n").unwrap_err();
        assert_eq!(error.position.line, 2);
    }

    #[test]
    fn object_keys_and_numbers() {
        let text = "m = {\n  \"k\" = 1\n  (var.k) = 2\n  \"t-${var.x}\" = 3\n}\nbig = 18446744073709551615\nneg = -5\nnegf = -0.5\nnot = !true\ndouble = -(-5)\n";
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.data,
            json!({
                "m": {"k": 1, "${(var.k)}": 2, "t-${var.x}": 3},
                "big": 18446744073709551615u64,
                "neg": -5,
                "negf": -0.5,
                "not": "${!true}",
                "double": "${-(-5)}"
            })
        );
        assert_eq!(parsed.lines.line("/m/${(var.k)}"), Some(3));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let error = parse("resource \"a\" \"b\" {\n  acl \"private\"\n}\n").unwrap_err();
        assert_eq!(error.position, Position::new(2, 16));
        assert_eq!(error.message, "expected `{`");

        let error = parse("a = 1\nb = [1, 2\n").unwrap_err();
        assert_eq!(error.position.line, 2);
        assert_eq!(error.message, "expected `]`");
    }

    #[test]
    fn empty_and_garbage_input_do_not_panic() {
        assert_eq!(parse("").unwrap().data, json!({}));
        assert_eq!(parse("# only a comment\n").unwrap().data, json!({}));
        for text in [
            "\u{0}\u{1}\u{2}",
            "{{{{",
            "a = \"",
            "a = <<EOT\n",
            "x {",
            "= 1",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
    }

    /// The terragoat Terraform in the shared corpus: every file parses, with known values.
    #[test]
    fn terragoat_corpus() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/dev/configs/terragoat/terraform");
        if !root.is_dir() {
            println!("skipped: ../shared corpus not present");
            return;
        }
        let mut files = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|ext| ext == "tf") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() >= 10, "found only {} .tf files", files.len());
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            if let Err(error) = parse(&text) {
                panic!("{}: {error:?}", file.display());
            }
        }

        let parse_file =
            |name: &str| parse(&std::fs::read_to_string(root.join(name)).unwrap()).unwrap();

        let s3 = parse_file("aws/s3.tf");
        let data = &s3.data["resource"]["aws_s3_bucket"]["data"];
        assert_eq!(data["bucket"], json!("${local.resource_prefix.value}-data"));
        assert_eq!(data["force_destroy"], json!(true));
        assert!(data["tags"].as_str().unwrap().starts_with("${merge({"));
        assert_eq!(s3.lines.line("/resource/aws_s3_bucket/data"), Some(1));
        assert_eq!(
            s3.lines.line("/resource/aws_s3_bucket/data/bucket"),
            Some(6)
        );
        let operations = &s3.data["resource"]["aws_s3_bucket"]["operations"];
        assert_eq!(operations["acl"], json!("private"));
        assert_eq!(operations["versioning"], json!([{"enabled": true}]));
        assert_eq!(
            s3.lines
                .line("/resource/aws_s3_bucket/operations/versioning/0/enabled"),
            Some(71)
        );

        let providers = parse_file("aws/providers.tf");
        assert_eq!(
            providers.data["terraform"],
            json!([{"backend": {"s3": {"encrypt": true}}}])
        );
        // The file configures `provider "aws"` twice; both are kept, the second holds keys.
        assert_eq!(
            providers.data["provider"]["aws"][0]["profile"],
            json!("${var.profile}")
        );
        assert_eq!(providers.lines.line("/provider/aws/0"), Some(2));
        assert!(providers.data["provider"]["aws"][1]["access_key"].is_string());
        assert_eq!(providers.lines.line("/provider/aws/1"), Some(7));
        assert_eq!(
            providers.lines.line("/terraform/0/backend/s3/encrypt"),
            Some(16)
        );

        let ec2 = parse_file("aws/ec2.tf");
        let web = &ec2.data["resource"]["aws_instance"]["web_host"];
        assert_eq!(web["ami"], json!("${var.ami}"));
        assert_eq!(
            web["vpc_security_group_ids"],
            json!(["${aws_security_group.web-node.id}"])
        );
        assert!(web["user_data"]
            .as_str()
            .unwrap()
            .contains("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMAAA\n"));
        assert_eq!(
            ec2.lines.line("/resource/aws_instance/web_host/user_data"),
            Some(9)
        );
        assert_eq!(
            ec2.lines
                .line("/resource/aws_instance/web_host/vpc_security_group_ids/0"),
            Some(7)
        );
    }
}
