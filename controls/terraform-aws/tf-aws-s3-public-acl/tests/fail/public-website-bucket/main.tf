resource "aws_s3_bucket" "marketing_site" {
  bucket = "acme-marketing-site"
  acl    = "public-read"

  website {
    index_document = "index.html"
    error_document = "error.html"
  }
}
