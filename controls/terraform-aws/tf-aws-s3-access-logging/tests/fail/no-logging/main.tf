resource "aws_s3_bucket" "customer_documents" {
  bucket = "acme-customer-documents"

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

resource "aws_s3_bucket" "ml_training_data" {
  bucket = "acme-ml-training-data"
}

resource "aws_s3_bucket" "logged" {
  bucket = "acme-logged"

  logging {
    target_bucket = "acme-access-logs"
    target_prefix = "logged/"
  }
}
