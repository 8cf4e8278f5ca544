resource "aws_s3_bucket_server_side_encryption_configuration" "lake_raw" {
  bucket = aws_s3_bucket.lake_raw.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

# Referring to the bucket by its literal name works too.
resource "aws_s3_bucket_server_side_encryption_configuration" "static_site" {
  bucket = "acme-static-site"

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "exports" {
  for_each = aws_s3_bucket.exports
  bucket   = aws_s3_bucket.exports[each.key].bucket

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
