resource "aws_s3_bucket" "shared" {
  bucket = "acme-partner-share"
}

# AWS provider v4+ style: the ACL lives in its own resource.
resource "aws_s3_bucket_acl" "shared" {
  bucket = aws_s3_bucket.shared.id
  acl    = "public-read-write"
}

resource "aws_s3_bucket" "datasets" {
  bucket = "acme-public-datasets"
}

resource "aws_s3_bucket_acl" "datasets" {
  bucket = aws_s3_bucket.datasets.id

  access_control_policy {
    grant {
      grantee {
        id   = data.aws_canonical_user_id.current.id
        type = "CanonicalUser"
      }
      permission = "FULL_CONTROL"
    }

    grant {
      grantee {
        type = "Group"
        uri  = "http://acs.amazonaws.com/groups/global/AllUsers"
      }
      permission = "READ"
    }

    owner {
      id = data.aws_canonical_user_id.current.id
    }
  }
}
