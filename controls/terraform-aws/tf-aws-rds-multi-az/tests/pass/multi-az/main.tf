resource "aws_db_instance" "core" {
  identifier                  = "core"
  engine                      = "postgres"
  instance_class              = "db.m6g.large"
  allocated_storage           = 100
  username                    = "core"
  manage_master_user_password = true
  multi_az                    = true
}

# A read replica: its source is the Multi-AZ instance.
resource "aws_db_instance" "core_replica" {
  identifier          = "core-replica"
  replicate_source_db = aws_db_instance.core.identifier
  instance_class      = "db.m6g.large"
}
