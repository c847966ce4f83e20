# Versions baked into the Kubernetes node image. kx passes k8s_version from the
# cluster config; the others are pinned here and so are part of the content hash.

variable "k8s_version" {
  type        = string
  description = "Kubernetes version of kubelet, kubeadm and kubectl, e.g. 1.36.1."

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.k8s_version))
    error_message = "The k8s_version variable must be a version such as 1.36.1 (no leading v)."
  }
}

variable "containerd_version" {
  type        = string
  default     = "2.2.0"
  description = "containerd release (Kubernetes 1.36 needs containerd 2.x)."
}

variable "runc_version" {
  type        = string
  default     = "1.3.3"
  description = "runc release used by containerd."
}

variable "helm_version" {
  type        = string
  default     = "3.19.0"
  description = "Helm release kx runs on the first control-plane node for the add-ons."
}
