resource "aws_s3_bucket" "media" {
  bucket = "acme-media"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "none"
      }
    }
  }
}
