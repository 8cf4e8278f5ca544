module "exports" {
  source = "./modules/bucket"
  name   = "acme-exports"
  acl    = "authenticated-read"
}

module "archive" {
  source = "./modules/bucket"
  name   = "acme-archive"
}
