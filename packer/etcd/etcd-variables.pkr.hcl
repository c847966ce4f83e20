# The etcd release baked into the etcd image; kx passes it from the cluster config.
variable "etcd_version" {
  type        = string
  description = "etcd release, e.g. 3.6.5."

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.etcd_version))
    error_message = "The etcd_version variable must be a version such as 3.6.5 (no leading v)."
  }
}
