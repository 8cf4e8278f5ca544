resource "aws_db_instance" "orders" {
  identifier              = "orders"
  engine                  = "postgres"
  instance_class          = "db.t4g.medium"
  allocated_storage       = 50
  storage_encrypted       = true
  backup_retention_period = 14
  backup_window           = "02:00-03:00"
}

resource "aws_rds_cluster" "reporting" {
  cluster_identifier      = "reporting"
  engine                  = "aurora-postgresql"
  storage_encrypted       = true
  backup_retention_period = 7
}

# Read replicas take no automated backups of their own.
resource "aws_db_instance" "orders_replica" {
  identifier          = "orders-replica"
  instance_class      = "db.t4g.medium"
  replicate_source_db = aws_db_instance.orders.identifier
}
