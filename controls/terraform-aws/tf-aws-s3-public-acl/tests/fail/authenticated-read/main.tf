# "authenticated-read" is not limited to your organisation: any AWS account can read.
resource "aws_s3_bucket" "build_artifacts" {
  bucket = "acme-build-artifacts"
  acl    = "authenticated-read"
}

resource "aws_s3_bucket" "legacy_downloads" {
  bucket = "acme-legacy-downloads"

  grant {
    type        = "Group"
    permissions = ["READ"]
    uri         = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
  }
}
