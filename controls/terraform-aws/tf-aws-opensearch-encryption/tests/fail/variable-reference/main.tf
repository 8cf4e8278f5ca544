variable "encrypt_search" {
  type = bool
}

resource "aws_opensearch_domain" "catalog" {
  domain_name    = "catalog"
  engine_version = "OpenSearch_2.13"

  encrypt_at_rest {
    enabled = var.encrypt_search
  }
}
