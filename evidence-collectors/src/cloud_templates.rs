//! CloudFormation and Azure Resource Manager (ARM) templates seen as Terraform resources, so
//! that the Terraform AWS and Azure controls judge them without a copy of each control.
//!
//! A YAML or JSON document is a CloudFormation template when it has `AWSTemplateFormatVersion`
//! or a `Resources` mapping with an entry whose `Type` is `AWS::…`; a JSON document is an ARM
//! template when its `$schema` names a `deploymentTemplate.json`. Each resource whose type is in
//! [`MAPPINGS`] becomes the Terraform resource of the mapped type, named by its logical id (ARM:
//! its `name` as written; a role's inline policies become one `aws_iam_role_policy` each,
//! `<logical id>.<policy name>`), with the properties the table names translated to the
//! Terraform attributes: the view is the document `{"resource": {"aws_s3_bucket": {"Logs": {…}}}}`
//! of format [`Format::CloudFormation`] or [`Format::Arm`], whose every node is located at the
//! property it came from.
//!
//! `Ref` to a template parameter with a `Default` (ARM: a whole-string `[parameters('p')]` with
//! a `defaultValue`) takes the default, and `Ref` to `AWS::NoValue` removes the property; every
//! other intrinsic function or expression (`Fn::If`, `Fn::Sub`, `[variables('v')]`, …) is kept
//! as written, an unknown value that no check requiring a value accepts.

use serde_json::{Map, Value};

use crate::document::Format;
use crate::lines::{pointer_push, LineMap};

/// The template languages read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    CloudFormation,
    Arm,
}

impl Dialect {
    /// The format of the Terraform view of a template in this dialect.
    pub fn format(self) -> Format {
        match self {
            Dialect::CloudFormation => Format::CloudFormation,
            Dialect::Arm => Format::Arm,
        }
    }
}

/// How a property's value becomes the attribute's value.
#[derive(Debug, Clone, Copy)]
enum Convert {
    /// As written.
    Same,
    /// A number written as a string (`"22"`) becomes a number.
    Number,
    /// A name in Pascal case becomes Terraform's kebab case (`PublicRead` is `public-read`,
    /// `Blob` is `blob`).
    KebabCase,
    /// `Enabled` becomes `true`, any other status `false`.
    Enabled,
    /// A policy document becomes its JSON text, as Terraform's `policy` holds it.
    JsonText,
    /// A logging configuration becomes the bucket logged to: the one named, else the bucket
    /// itself (CloudFormation's default).
    LogTarget,
}

/// One property of a resource type: where it is under `Properties`, where its attribute goes
/// in the Terraform resource (a `*` in both stands for each element of an array).
#[derive(Debug)]
struct Property {
    from: &'static str,
    to: &'static str,
    convert: Convert,
}

const fn prop(from: &'static str, to: &'static str, convert: Convert) -> Property {
    Property { from, to, convert }
}

/// One CloudFormation resource type and the Terraform resource type it is judged as.
#[derive(Debug)]
struct Mapping {
    /// The template's resource type (`AWS::S3::Bucket`, `Microsoft.Storage/storageAccounts`).
    template: &'static str,
    terraform: &'static str,
    /// When set, each element of this array property (a role's inline `Policies`) is a
    /// Terraform resource of its own, and [`Mapping::properties`] are read under it.
    each: Option<&'static str>,
    /// Attributes every translated resource has (`type = "ingress"` of a rule).
    constants: &'static [(&'static str, &'static str)],
    /// A property whose presence means the resource is another Terraform type that no
    /// mapped control reads (an Aurora instance is an `aws_rds_cluster_instance`).
    unless: Option<&'static str>,
    properties: &'static [Property],
}

use Convert::*;

const INGRESS: &[Property] = &[
    prop(
        "/SecurityGroupIngress/*/CidrIp",
        "/ingress/*/cidr_blocks/0",
        Same,
    ),
    prop(
        "/SecurityGroupIngress/*/CidrIpv6",
        "/ingress/*/ipv6_cidr_blocks/0",
        Same,
    ),
    prop(
        "/SecurityGroupIngress/*/FromPort",
        "/ingress/*/from_port",
        Number,
    ),
    prop(
        "/SecurityGroupIngress/*/ToPort",
        "/ingress/*/to_port",
        Number,
    ),
    prop(
        "/SecurityGroupIngress/*/IpProtocol",
        "/ingress/*/protocol",
        Same,
    ),
];

const RULE: &[Property] = &[
    prop("/CidrIp", "/cidr_blocks/0", Same),
    prop("/CidrIpv6", "/ipv6_cidr_blocks/0", Same),
    prop("/FromPort", "/from_port", Number),
    prop("/ToPort", "/to_port", Number),
    prop("/IpProtocol", "/protocol", Same),
];

const POLICY: &[Property] = &[prop("/PolicyDocument", "/policy", JsonText)];

/// The security rules of an ARM network security group, as `security_rule` blocks.
const NSG_RULES: &[Property] = &[
    prop("/securityRules/*/name", "/security_rule/*/name", Same),
    prop(
        "/securityRules/*/properties/access",
        "/security_rule/*/access",
        Same,
    ),
    prop(
        "/securityRules/*/properties/direction",
        "/security_rule/*/direction",
        Same,
    ),
    prop(
        "/securityRules/*/properties/protocol",
        "/security_rule/*/protocol",
        Same,
    ),
    prop(
        "/securityRules/*/properties/sourceAddressPrefix",
        "/security_rule/*/source_address_prefix",
        Same,
    ),
    prop(
        "/securityRules/*/properties/sourceAddressPrefixes",
        "/security_rule/*/source_address_prefixes",
        Same,
    ),
    prop(
        "/securityRules/*/properties/destinationPortRange",
        "/security_rule/*/destination_port_range",
        Same,
    ),
    prop(
        "/securityRules/*/properties/destinationPortRanges",
        "/security_rule/*/destination_port_ranges",
        Same,
    ),
];

/// A standalone ARM security rule.
const NSG_RULE: &[Property] = &[
    prop("/access", "/access", Same),
    prop("/direction", "/direction", Same),
    prop("/protocol", "/protocol", Same),
    prop("/sourceAddressPrefix", "/source_address_prefix", Same),
    prop("/sourceAddressPrefixes", "/source_address_prefixes", Same),
    prop("/destinationPortRange", "/destination_port_range", Same),
    prop("/destinationPortRanges", "/destination_port_ranges", Same),
];

/// The translation table: one entry per template resource type.
const MAPPINGS: &[Mapping] = &[
    Mapping {
        template: "Microsoft.Storage/storageAccounts",
        terraform: "azurerm_storage_account",
        each: None,
        constants: &[],
        unless: None,
        properties: &[
            prop("/allowBlobPublicAccess", "/allow_nested_items_to_be_public", Same),
            prop("/supportsHttpsTrafficOnly", "/https_traffic_only_enabled", Same),
            prop("/minimumTlsVersion", "/min_tls_version", Same),
        ],
    },
    Mapping {
        template: "Microsoft.Storage/storageAccounts/blobServices/containers",
        terraform: "azurerm_storage_container",
        each: None,
        constants: &[],
        unless: None,
        properties: &[prop("/publicAccess", "/container_access_type", KebabCase)],
    },
    Mapping {
        template: "Microsoft.KeyVault/vaults",
        terraform: "azurerm_key_vault",
        each: None,
        constants: &[],
        unless: None,
        properties: &[prop("/enablePurgeProtection", "/purge_protection_enabled", Same)],
    },
    Mapping {
        template: "Microsoft.Sql/servers",
        terraform: "azurerm_mssql_server",
        each: None,
        constants: &[],
        unless: None,
        properties: &[prop("/minimalTlsVersion", "/minimum_tls_version", Same)],
    },
    Mapping {
        template: "Microsoft.Network/networkSecurityGroups",
        terraform: "azurerm_network_security_group",
        each: None,
        constants: &[],
        unless: None,
        properties: NSG_RULES,
    },
    Mapping {
        template: "Microsoft.Network/networkSecurityGroups/securityRules",
        terraform: "azurerm_network_security_rule",
        each: None,
        constants: &[],
        unless: None,
        properties: NSG_RULE,
    },
    Mapping {
        template: "AWS::S3::Bucket",
        terraform: "aws_s3_bucket",
        each: None,
        constants: &[],
        unless: None,
        properties: &[
            prop(
                "/BucketEncryption/ServerSideEncryptionConfiguration/*/ServerSideEncryptionByDefault/SSEAlgorithm",
                "/server_side_encryption_configuration/0/rule/*/apply_server_side_encryption_by_default/0/sse_algorithm",
                Same,
            ),
            prop(
                "/BucketEncryption/ServerSideEncryptionConfiguration/*/ServerSideEncryptionByDefault/KMSMasterKeyID",
                "/server_side_encryption_configuration/0/rule/*/apply_server_side_encryption_by_default/0/kms_master_key_id",
                Same,
            ),
            prop("/AccessControl", "/acl", KebabCase),
            prop("/LoggingConfiguration", "/logging/0/target_bucket", LogTarget),
            prop("/LoggingConfiguration/LogFilePrefix", "/logging/0/target_prefix", Same),
            prop("/VersioningConfiguration/Status", "/versioning/0/enabled", Enabled),
        ],
    },
    Mapping {
        template: "AWS::RDS::DBInstance",
        terraform: "aws_db_instance",
        each: None,
        constants: &[],
        unless: Some("/DBClusterIdentifier"),
        properties: &[
            prop("/StorageEncrypted", "/storage_encrypted", Same),
            prop("/KmsKeyId", "/kms_key_id", Same),
            prop("/Engine", "/engine", Same),
            prop("/SourceDBInstanceIdentifier", "/replicate_source_db", Same),
        ],
    },
    Mapping {
        template: "AWS::RDS::DBCluster",
        terraform: "aws_rds_cluster",
        each: None,
        constants: &[],
        unless: None,
        properties: &[
            prop("/StorageEncrypted", "/storage_encrypted", Same),
            prop("/KmsKeyId", "/kms_key_id", Same),
            prop("/Engine", "/engine", Same),
            prop("/EngineMode", "/engine_mode", Same),
        ],
    },
    Mapping {
        template: "AWS::EC2::Volume",
        terraform: "aws_ebs_volume",
        each: None,
        constants: &[],
        unless: None,
        properties: &[
            prop("/Encrypted", "/encrypted", Same),
            prop("/KmsKeyId", "/kms_key_id", Same),
        ],
    },
    Mapping {
        template: "AWS::EC2::SecurityGroup",
        terraform: "aws_security_group",
        each: None,
        constants: &[],
        unless: None,
        properties: INGRESS,
    },
    Mapping {
        template: "AWS::EC2::SecurityGroupIngress",
        terraform: "aws_security_group_rule",
        each: None,
        constants: &[("type", "ingress")],
        unless: None,
        properties: RULE,
    },
    Mapping {
        template: "AWS::IAM::ManagedPolicy",
        terraform: "aws_iam_policy",
        each: None,
        constants: &[],
        unless: None,
        properties: POLICY,
    },
    Mapping {
        template: "AWS::IAM::Policy",
        terraform: "aws_iam_policy",
        each: None,
        constants: &[],
        unless: None,
        properties: POLICY,
    },
    Mapping {
        template: "AWS::IAM::RolePolicy",
        terraform: "aws_iam_role_policy",
        each: None,
        constants: &[],
        unless: None,
        properties: POLICY,
    },
    Mapping {
        template: "AWS::IAM::UserPolicy",
        terraform: "aws_iam_user_policy",
        each: None,
        constants: &[],
        unless: None,
        properties: POLICY,
    },
    Mapping {
        template: "AWS::IAM::GroupPolicy",
        terraform: "aws_iam_group_policy",
        each: None,
        constants: &[],
        unless: None,
        properties: POLICY,
    },
    Mapping {
        template: "AWS::IAM::Role",
        terraform: "aws_iam_role_policy",
        each: Some("/Policies"),
        constants: &[],
        unless: None,
        properties: POLICY,
    },
    Mapping {
        template: "AWS::IAM::User",
        terraform: "aws_iam_user_policy",
        each: Some("/Policies"),
        constants: &[],
        unless: None,
        properties: POLICY,
    },
    Mapping {
        template: "AWS::IAM::Group",
        terraform: "aws_iam_group_policy",
        each: Some("/Policies"),
        constants: &[],
        unless: None,
        properties: POLICY,
    },
];

/// The language of the template `data` is (or holds), if any.
pub fn dialect(data: &Value) -> Option<Dialect> {
    template(data).map(|(dialect, ..)| dialect)
}

/// The template `data` is or holds, with its language and its pointer in `data`: the document
/// itself, or the `resources` section of a Serverless Framework file (`serverless.yml`), which
/// is CloudFormation.
fn template(data: &Value) -> Option<(Dialect, &Value, &'static str)> {
    if data.get("provider").is_some() {
        if let Some(section) = data
            .get("resources")
            .filter(|r| r.get("Resources").is_some_and(Value::is_object))
        {
            return Some((Dialect::CloudFormation, section, "/resources"));
        }
    }
    let schema = data.get("$schema").and_then(Value::as_str).unwrap_or("");
    if schema.contains("deploymentTemplate.json") && data.get("resources").is_some() {
        return Some((Dialect::Arm, data, ""));
    }
    let cloudformation = data.get("AWSTemplateFormatVersion").is_some()
        || data
            .get("Resources")
            .and_then(Value::as_object)
            .is_some_and(|resources| {
                resources.values().any(|r| {
                    r.get("Type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.starts_with("AWS::"))
                })
            });
    cloudformation.then_some((Dialect::CloudFormation, data, ""))
}

/// One resource of a template: its name, where it is, its type and properties.
struct Resource<'t> {
    name: String,
    at: String,
    kind: &'t str,
    properties: &'t Value,
}

/// The resources of a template in `dialect` found at `base` (ARM: the top-level ones, as an
/// array or, with language version 2.0, by symbolic name).
fn resources<'t>(template: &'t Value, dialect: Dialect, base: &str) -> Vec<Resource<'t>> {
    let (key, type_key, properties_key) = match dialect {
        Dialect::CloudFormation => ("Resources", "Type", "Properties"),
        Dialect::Arm => ("resources", "type", "properties"),
    };
    let entries: Vec<(String, String, &Value)> = match template.get(key) {
        Some(Value::Object(by_name)) => by_name
            .iter()
            .map(|(name, r)| {
                (
                    name.clone(),
                    pointer_push(&format!("{base}/{key}"), name),
                    r,
                )
            })
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let name = r.get("name").and_then(Value::as_str).unwrap_or("");
                (name.to_string(), format!("{base}/{key}/{i}"), r)
            })
            .collect(),
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .filter_map(|(name, at, r)| {
            Some(Resource {
                name,
                at,
                kind: r.get(type_key)?.as_str()?,
                properties: r.get(properties_key).unwrap_or(&Value::Null),
            })
        })
        .collect()
}

/// The Terraform view of the template `data` (located by `lines`) if it is one: its format,
/// the mapped resources and where each of their nodes comes from; `None` when no resource is
/// of a mapped type.
pub fn terraform_view(data: &Value, lines: &LineMap) -> Option<(Format, Value, LineMap)> {
    let (dialect, template, base) = template(data)?;
    let parameters = match dialect {
        Dialect::CloudFormation => template.get("Parameters"),
        Dialect::Arm => template.get("parameters"),
    };
    let mut view = View {
        resources: Map::new(),
        lines: LineMap::new(),
        source: lines,
        parameters: parameters.and_then(Value::as_object),
    };
    for resource in resources(template, dialect, base) {
        let Some(mapping) = MAPPINGS.iter().find(|m| m.template == resource.kind) else {
            continue;
        };
        // An ARM name given by a parameter with a default is named by the default.
        let id = match view.resolve(&Value::String(resource.name.clone())) {
            Some(Value::String(name)) => name,
            _ => resource.name.clone(),
        };
        let (id, at, properties) = (&id, &resource.at, resource.properties);
        let properties_key = match dialect {
            Dialect::CloudFormation => "Properties",
            Dialect::Arm => "properties",
        };
        if mapping
            .unless
            .is_some_and(|p| properties.pointer(p).is_some())
        {
            continue;
        }
        let properties_at = format!("{at}/{properties_key}");
        match mapping.each {
            None => view.add(mapping, id, at, properties, &properties_at),
            Some(each) => {
                let Some(Value::Array(parts)) = properties.pointer(each) else {
                    continue;
                };
                for (i, part) in parts.iter().enumerate() {
                    let name = match part.get("PolicyName").and_then(Value::as_str) {
                        Some(n) => format!("{id}.{n}"),
                        None => format!("{id}.{i}"),
                    };
                    let part_at = format!("{properties_at}{each}/{i}");
                    view.add(mapping, &name, &part_at, part, &part_at);
                }
            }
        }
    }
    if view.resources.is_empty() {
        return None;
    }
    let mut lines = view.lines;
    let key = match dialect {
        Dialect::CloudFormation => "/Resources",
        Dialect::Arm => "/resources",
    };
    if let Some(position) = view.source.position(&format!("{base}{key}")) {
        lines.insert(String::new(), position);
        lines.insert("/resource".into(), position);
    }
    let data = Value::Object(Map::from_iter([(
        "resource".to_string(),
        Value::Object(view.resources),
    )]));
    Some((dialect.format(), data, lines))
}

/// The view being built.
struct View<'t> {
    /// Terraform type → name → body.
    resources: Map<String, Value>,
    lines: LineMap,
    source: &'t LineMap,
    parameters: Option<&'t Map<String, Value>>,
}

impl View<'_> {
    /// Adds the resource `name` of `mapping`, translated from `properties` (at `from_at` in
    /// the template; the resource itself is located at `at`).
    fn add(&mut self, mapping: &Mapping, name: &str, at: &str, properties: &Value, from_at: &str) {
        let base = pointer_push(&pointer_push("/resource", mapping.terraform), name);
        let mut body = Value::Object(Map::new());
        if let Some(position) = self.source.position(at) {
            self.lines.insert(base.clone(), position);
            for (key, value) in mapping.constants {
                body[*key] = Value::String(value.to_string());
                self.lines.insert(pointer_push(&base, key), position);
            }
        }
        for property in mapping.properties {
            for found in expand(properties, property.from, property.to) {
                let Some(value) = self.resolve(found.value) else {
                    continue;
                };
                set(&mut body, &found.to, convert(property.convert, value, name));
                for (from, to) in found
                    .elements
                    .iter()
                    .map(|(f, t)| (f, t))
                    .chain([(&found.from, &found.to)])
                {
                    if let Some(position) = self.source.position(&format!("{from_at}{from}")) {
                        self.lines.insert(format!("{base}{to}"), position);
                    }
                }
            }
        }
        let by_name = self
            .resources
            .entry(mapping.terraform)
            .or_insert_with(|| Value::Object(Map::new()));
        by_name[name] = body;
    }

    /// `value` with a `Ref` to a parameter with a default (ARM: `[parameters('p')]` with a
    /// `defaultValue`) replaced by the default; `None` for `Ref: AWS::NoValue` (the property
    /// is left out).
    fn resolve(&self, value: &Value) -> Option<Value> {
        if let Some(name) = value
            .as_str()
            .and_then(|s| s.trim().strip_prefix("[parameters('"))
            .and_then(|s| s.strip_suffix("')]"))
        {
            let default = self
                .parameters
                .and_then(|p| p.get(name))
                .and_then(|p| p.get("defaultValue"));
            return Some(default.unwrap_or(value).clone());
        }
        let Some(target) = value
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("Ref"))
            .and_then(Value::as_str)
        else {
            return Some(value.clone());
        };
        if target == "AWS::NoValue" {
            return None;
        }
        let default = self
            .parameters
            .and_then(|p| p.get(target))
            .and_then(|p| p.get("Default"));
        Some(default.unwrap_or(value).clone())
    }
}

/// A node matching a property's pattern.
struct Match<'v> {
    /// Its pointer under `Properties`, and the pointer of its attribute.
    from: String,
    to: String,
    value: &'v Value,
    /// The array elements on the way (for `*`s), as (property pointer, attribute pointer).
    elements: Vec<(String, String)>,
}

/// Every node matching the pattern `from` (a `*` matches each array element) under `value`,
/// with the pointer `to` with the same indexes in place of its `*`s.
fn expand<'v>(value: &'v Value, from: &str, to: &str) -> Vec<Match<'v>> {
    let Some((head, rest)) = from.split_once("/*") else {
        return value
            .pointer(from)
            .map(|value| Match {
                from: from.to_string(),
                to: to.to_string(),
                value,
                elements: Vec::new(),
            })
            .into_iter()
            .collect();
    };
    let Some(Value::Array(items)) = value.pointer(head) else {
        return Vec::new();
    };
    let (to_head, to_rest) = to.split_once("/*").unwrap_or((to, ""));
    let mut found = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let (from_at, to_at) = (format!("{head}/{i}"), format!("{to_head}/{i}"));
        for inner in expand(item, rest, to_rest) {
            let mut elements = vec![(from_at.clone(), to_at.clone())];
            elements.extend(
                inner
                    .elements
                    .into_iter()
                    .map(|(f, t)| (format!("{from_at}{f}"), format!("{to_at}{t}"))),
            );
            found.push(Match {
                from: format!("{from_at}{}", inner.from),
                to: format!("{to_at}{}", inner.to),
                value: inner.value,
                elements,
            });
        }
    }
    found
}

/// Sets the node at `pointer` under `target`, creating objects (and arrays for index tokens)
/// on the way.
fn set(target: &mut Value, pointer: &str, value: Value) {
    let mut node = target;
    for token in pointer.split('/').skip(1) {
        match token.parse::<usize>() {
            Ok(index) => {
                if !node.is_array() {
                    *node = Value::Array(Vec::new());
                }
                let Value::Array(items) = node else {
                    return;
                };
                if items.len() <= index {
                    items.resize(index + 1, Value::Object(Map::new()));
                }
                node = &mut items[index];
            }
            Err(_) => {
                if !node.is_object() {
                    *node = Value::Object(Map::new());
                }
                let Value::Object(map) = node else {
                    return;
                };
                node = map
                    .entry(token.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
            }
        }
    }
    *node = value;
}

fn convert(how: Convert, value: Value, name: &str) -> Value {
    match (how, value) {
        (Number, Value::String(s)) => match s.trim().parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::String(s),
        },
        (KebabCase, Value::String(s)) => {
            let mut acl = String::new();
            for (i, c) in s.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    acl.push('-');
                }
                acl.push(c.to_ascii_lowercase());
            }
            Value::String(acl)
        }
        (Enabled, Value::String(s)) => Value::Bool(s == "Enabled"),
        (JsonText, value @ (Value::Object(_) | Value::Array(_))) => {
            Value::String(value.to_string())
        }
        (LogTarget, Value::Object(config)) => match config.get("DestinationBucketName") {
            Some(bucket) => bucket.clone(),
            None => Value::String(name.to_string()),
        },
        (_, value) => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::yaml;
    use serde_json::json;

    const TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Acl: {Type: String, Default: PublicRead}
  Kms: {Type: String}
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: !Ref Acl
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: !If [UseKms, 'aws:kms', AES256]
      LoggingConfiguration: {}
      VersioningConfiguration: {Status: Enabled}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      StorageEncrypted: !Ref Kms
      Engine: postgres
  AuroraMember:
    Type: AWS::RDS::DBInstance
    Properties: {DBClusterIdentifier: !Ref Cluster, Engine: aurora-postgresql}
  Ssh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: '22', ToPort: '22', CidrIp: 0.0.0.0/0}
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !Ref AWS::NoValue}
  Admin:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: all
          PolicyDocument:
            Statement: [{Effect: Allow, Action: '*', Resource: '*'}]
  Topic:
    Type: AWS::SNS::Topic
";

    #[test]
    fn mapped_resources_become_terraform_resources_located_at_their_properties() {
        let docs = yaml::parse(TEMPLATE).unwrap();
        assert_eq!(dialect(&docs[0].data), Some(Dialect::CloudFormation));
        let (format, view, lines) = terraform_view(&docs[0].data, &docs[0].lines).unwrap();
        assert_eq!(format, Format::CloudFormation);
        assert_eq!(
            view,
            json!({"resource": {
                "aws_s3_bucket": {"Logs": {
                    "acl": "public-read",
                    "server_side_encryption_configuration": [{"rule": [{
                        "apply_server_side_encryption_by_default": [
                            {"sse_algorithm": {"Fn::If": ["UseKms", "aws:kms", "AES256"]}}
                        ]
                    }]}],
                    "logging": [{"target_bucket": "Logs"}],
                    "versioning": [{"enabled": true}],
                }},
                "aws_db_instance": {"Db": {
                    "storage_encrypted": {"Ref": "Kms"},
                    "engine": "postgres",
                }},
                "aws_security_group": {"Ssh": {"ingress": [
                    {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]},
                    {"protocol": "tcp", "from_port": 443, "to_port": 443},
                ]}},
                "aws_iam_role_policy": {"Admin.all": {
                    "policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
                }},
            }})
        );
        let line = |p: &str| lines.line(p).unwrap();
        assert_eq!(line("/resource/aws_s3_bucket/Logs"), 6);
        assert_eq!(line("/resource/aws_s3_bucket/Logs/acl"), 9);
        assert_eq!(
            line("/resource/aws_s3_bucket/Logs/server_side_encryption_configuration/0/rule/0/apply_server_side_encryption_by_default/0/sse_algorithm"),
            13
        );
        assert_eq!(
            line("/resource/aws_security_group/Ssh/ingress/0/cidr_blocks/0"),
            28
        );
        assert_eq!(line("/resource/aws_security_group/Ssh/ingress/1"), 29);
        assert_eq!(line("/resource/aws_iam_role_policy/Admin.all"), 34);
        assert_eq!(line("/resource/aws_iam_role_policy/Admin.all/policy"), 35);
    }

    #[test]
    fn arm_resources_become_terraform_resources() {
        let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {"nsg": {"type": "string", "defaultValue": "web-nsg"}, "tls": {"type": "string"}},
  "resources": [
    {"type": "Microsoft.Network/networkSecurityGroups", "name": "[parameters('nsg')]",
     "properties": {"securityRules": [
       {"name": "rdp", "properties": {"access": "Allow", "direction": "Inbound",
        "protocol": "Tcp", "sourceAddressPrefix": "Internet", "destinationPortRange": "3389"}}]}},
    {"type": "Microsoft.Sql/servers", "name": "db", "properties": {"minimalTlsVersion": "[parameters('tls')]"}},
    {"type": "Microsoft.Storage/storageAccounts/blobServices/containers", "name": "c",
     "properties": {"publicAccess": "Container"}}
  ]
}"#;
        let parsed = crate::formats::json::parse(text).unwrap();
        let (format, view, lines) = terraform_view(&parsed.data, &parsed.lines).unwrap();
        assert_eq!(format, Format::Arm);
        assert_eq!(
            view,
            json!({"resource": {
                "azurerm_network_security_group": {"web-nsg": {"security_rule": [{
                    "name": "rdp", "access": "Allow", "direction": "Inbound", "protocol": "Tcp",
                    "source_address_prefix": "Internet", "destination_port_range": "3389",
                }]}},
                "azurerm_mssql_server": {"db": {"minimum_tls_version": "[parameters('tls')]"}},
                "azurerm_storage_container": {"c": {"container_access_type": "container"}},
            }})
        );
        let line = |p: &str| lines.line(p).unwrap();
        assert_eq!(line("/resource/azurerm_network_security_group/web-nsg"), 5);
        assert_eq!(
            line("/resource/azurerm_network_security_group/web-nsg/security_rule/0/destination_port_range"),
            8
        );
    }

    #[test]
    fn serverless_resources_are_cloudformation() {
        let text = "service: api\nprovider: {name: aws}\nfunctions: {hello: {handler: h.main}}\nresources:\n  Resources:\n    Uploads:\n      Type: AWS::S3::Bucket\n      Properties: {AccessControl: PublicReadWrite}\n";
        let docs = yaml::parse(text).unwrap();
        let (format, view, lines) = terraform_view(&docs[0].data, &docs[0].lines).unwrap();
        assert_eq!(format, Format::CloudFormation);
        assert_eq!(
            view,
            json!({"resource": {"aws_s3_bucket": {"Uploads": {"acl": "public-read-write"}}}})
        );
        assert_eq!(lines.line("/resource/aws_s3_bucket/Uploads/acl"), Some(8));
        assert_eq!(dialect(&json!({"provider": {"name": "aws"}})), None);
    }

    #[test]
    fn documents_without_mapped_resources_have_no_view() {
        let topic = json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}});
        assert_eq!(dialect(&topic), Some(Dialect::CloudFormation));
        assert!(terraform_view(&topic, &LineMap::new()).is_none());
        assert_eq!(
            dialect(&json!({"Resources": {"x": {"Type": "Custom"}}})),
            None
        );
        assert_eq!(dialect(&json!({"resource": {"aws_s3_bucket": {}}})), None);
        assert_eq!(
            dialect(&json!({"$schema": "https://example.com/other.json#", "resources": []})),
            None
        );
    }
}
