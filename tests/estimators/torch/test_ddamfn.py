import pytest

from fer_bench.estimators.torch.architectures import build_network

torch = pytest.importorskip("torch")


def test_ddamfn_returns_the_weighted_attention_loss_in_training():
    from fer_bench.estimators.torch.ddamfn import ATTENTION_LOSS_WEIGHT, DDAMFN, attention_loss

    torch.manual_seed(0)
    network = build_network("ddamfn", n_classes=7, width=0.125, input_size=32).train()
    logits, auxiliary = network(torch.rand(4, 1, 32, 32))
    assert logits.shape == (4, 7) and auxiliary.shape == () and torch.isfinite(auxiliary) and auxiliary > 0
    maps = [torch.zeros(2, 3, 4, 4), torch.full((2, 3, 4, 4), 0.5)]
    assert attention_loss(maps).item() == pytest.approx(1 / 0.25, rel=1e-5)  # one pair, MSE 0.25
    assert attention_loss(maps * 2).item() == pytest.approx(6 / 1.0, rel=1e-5)  # 6 pairs: 4 at MSE 0.25, 2 identical
    single = DDAMFN(n_classes=3, width=0.125, input_size=32, heads=1).train()
    assert single(torch.rand(2, 1, 32, 32))[1].item() == 0.0
    assert ATTENTION_LOSS_WEIGHT == 0.1


def test_ddamfn_refuses_input_sizes_it_cannot_pool():
    with pytest.raises(ValueError, match="multiple of 16"):
        build_network("ddamfn", n_classes=7, width=0.125, input_size=50)


def test_ddamfn_residual_bottlenecks_start_as_the_identity():
    # zero-init residual: the 31 residual branches start silent, or DDAMFN trained from scratch stays at chance
    from fer_bench.estimators.torch.ddamfn import MixBottleneck

    torch.manual_seed(0)
    network = build_network("ddamfn", n_classes=7, width=0.125, input_size=32)
    bottlenecks = [module for module in network.modules() if isinstance(module, MixBottleneck)]
    assert len(bottlenecks) == 34 and sum(block.residual for block in bottlenecks) == 31
    for mode in (network.train, network.eval):
        mode()
        for block in bottlenecks:
            x = torch.randn(2, block.body[0][0].in_channels, 4, 4)
            if block.residual:
                assert torch.equal(block(x), x)
            else:  # the stage-opening bottlenecks keep their learnt-from-the-start projection
                assert block(x).abs().sum() > 0
