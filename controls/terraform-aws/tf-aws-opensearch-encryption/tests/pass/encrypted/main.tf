resource "aws_opensearch_domain" "search" {
  domain_name    = "search"
  engine_version = "OpenSearch_2.13"

  encrypt_at_rest {
    enabled    = true
    kms_key_id = aws_kms_key.search.arn
  }

  node_to_node_encryption {
    enabled = true
  }
}
