"""float64 Newton–Schulz / QR for the matrix-optimizer goldens (used by gen_matrix.py and the adapters).

torch.optim.Muon orthogonalises in bfloat16 (`grad.to(dtype=torch.bfloat16)` in
`_zeropower_via_newtonschulz`) and pytorch_optimizer's SOAP runs its QR in float32
(`torch.linalg.qr(power_iter.to(torch.float32))`). A float64 golden of those libraries is only
meaningful with that internal cast removed, so `patch_torch_muon()` / `patch_soap_qr()` replace the
two functions with copies that keep the input's dtype and are otherwise the library's code verbatim.
optax.contrib.muon needs no patch: it orthogonalises in the update's own dtype (float64 under x64).
"""
from __future__ import annotations


def patch_torch_muon():
    import torch
    import torch.optim._muon as m

    if getattr(m, "_descent_float64", False):
        return

    def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
        if ns_steps >= 100:
            raise ValueError("Number of steps must be less than 100 for computational efficiency")
        if len(grad.shape) != 2:
            raise ValueError("Input tensor gradient must be a 2D matrix")
        if len(ns_coefficients) != 3:
            raise ValueError("Coefficients must be a tuple of exactly 3 values")
        a, b, c = ns_coefficients
        ortho_grad = grad.to(dtype=grad.dtype, copy=True)          # library: torch.bfloat16
        if grad.size(0) > grad.size(1):
            ortho_grad = ortho_grad.T
        ortho_grad.div_(ortho_grad.norm().clamp(min=eps))
        for _ in range(ns_steps):
            gram_matrix = ortho_grad @ ortho_grad.T
            gram_update = torch.addmm(gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c)
            ortho_grad = torch.addmm(ortho_grad, gram_update, ortho_grad, beta=a)
        if grad.size(0) > grad.size(1):
            ortho_grad = ortho_grad.T
        return ortho_grad

    m._zeropower_via_newtonschulz = _zeropower_via_newtonschulz
    m._descent_float64 = True


def patch_soap_qr():
    import torch
    from pytorch_optimizer.optimizer import soap

    if getattr(soap, "_descent_float64", False):
        return
    # Within SOAP.get_orthogonal_matrix_qr the call is torch.linalg.qr(power_iter.to(torch.float32));
    # make `.to(torch.float32)` a no-op there by running the method with float32 aliased to float64.
    orig = soap.SOAP.get_orthogonal_matrix_qr

    def get_orthogonal_matrix_qr(self, state, max_precondition_dim=10000, merge_dims=False):
        f32 = torch.float32
        try:
            torch.float32 = torch.float64 if state["exp_avg_sq"].dtype == torch.float64 else f32
            return orig(self, state, max_precondition_dim, merge_dims)
        finally:
            torch.float32 = f32

    soap.SOAP.get_orthogonal_matrix_qr = get_orthogonal_matrix_qr
    soap._descent_float64 = True
