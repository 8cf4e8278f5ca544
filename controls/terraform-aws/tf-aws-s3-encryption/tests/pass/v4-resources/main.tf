# AWS provider v4+ style: encryption is configured by separate resources (encryption.tf).
resource "aws_kms_key" "data" {
  description         = "Key for the data lake buckets"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "lake_raw" {
  bucket = "acme-lake-raw"
}

resource "aws_s3_bucket" "static_site" {
  bucket = "acme-static-site"
}

resource "aws_s3_bucket" "exports" {
  for_each = toset(["eu", "us"])
  bucket   = "acme-exports-${each.key}"
}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}
