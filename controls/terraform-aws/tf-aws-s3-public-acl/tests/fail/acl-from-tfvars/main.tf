variable "bucket_acl" {
  type    = string
  default = "private"
}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_s3_bucket_acl" "reports" {
  bucket = aws_s3_bucket.reports.id
  acl    = lookup({ open = "public-read-write" }, var.bucket_acl, var.bucket_acl)
}
