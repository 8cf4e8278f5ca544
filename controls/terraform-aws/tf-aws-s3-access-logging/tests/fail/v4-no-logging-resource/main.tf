resource "aws_s3_bucket" "ml_training_data" {
  bucket = "acme-ml-training-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "ml_training_data" {
  bucket = aws_s3_bucket.ml_training_data.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
