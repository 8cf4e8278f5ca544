resource "aws_s3_bucket" "archive" {
  bucket = "acme-archive"
}
