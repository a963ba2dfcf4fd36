"""fastdip.nn training loop, history, checkpoints and (tiled) inference: learns something with fixed seeds,
deterministic on the CPU, resuming equals an uninterrupted run, early stopping, tiled == untiled inference
when the receptive field fits in the overlap, error messages."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fastdip import nn  # noqa: E402
from fastdip.nn import training  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    return nn.digits(seed=0)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # small models on a shared CPU: one thread is fastest and steadiest
    yield
    torch.set_num_threads(before)


def _weights(model):
    return [p.detach().clone() for p in model.state_dict().values()]


# --- learns something --------------------------------------------------------------------------------


def test_mlp_learns_the_digits_in_a_few_epochs(digits):
    net = nn.MLP(64, (32,), 10, seed=0)
    history = nn.train(net, digits.train, digits.val, lr=3e-3, batch_size=32, epochs=5, seed=0)
    assert history.metric == "accuracy" and len(history) == 5
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.val_metric[-1] > 0.85
    assert nn.evaluate(net, digits.test, "accuracy") > 0.85


@pytest.mark.slow
def test_tiny_unet_overfits_a_few_synthetic_cells():
    cells = nn.synthetic_cells(4, (32, 32), seed=0)
    net = nn.UNet(1, 1, depth=2, base_channels=4, seed=0)
    history = nn.train(net, (cells.images, cells.masks), loss="bce_dice", lr=1e-2, batch_size=2, epochs=60,
                       seed=0)
    assert history.metric == "dice"
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]  # two images have no cell: soft Dice stays > 0
    assert history.train_metric[-1] > 0.95
    from fastdip import metrics

    for image, mask in zip(cells.images, cells.masks):
        probs = nn.predict(net, image)
        assert probs.shape == (32, 32) and probs.dtype == np.float32
        assert metrics.dice(probs > 0.5, mask) > 0.95


@pytest.mark.parametrize("loss", ["bce", "dice", "bce_dice", "mse", "cross_entropy"])
def test_every_loss_runs_and_decreases_on_a_dense_model(loss):
    rng = np.random.default_rng(0)
    x = rng.random((6, 12, 12)).astype(np.float32)
    y = x > 0.5  # a point-wise rule a 1x1 network can learn
    out_channels = 2 if loss == "cross_entropy" else 1
    net = nn.UNet(1, out_channels, depth=1, base_channels=2, batch_norm=False, seed=0)
    history = nn.train(net, (x, y.astype(np.int64) if loss == "cross_entropy" else y), loss=loss, lr=1e-2,
                       batch_size=6, epochs=15, seed=0)
    assert history.train_loss[-1] < history.train_loss[0]
    if loss == "mse":
        assert history.metric is None and all(math.isnan(v) for v in history.train_metric)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("batch_size", [1, 64])
def test_optimizers_and_batch_sizes_decrease_the_loss(optimizer, batch_size):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    net = nn.MLP(4, (8,), 2, seed=0)
    history = nn.train(net, (x, y), optimizer=optimizer, lr=0.05 if optimizer != "adam" else 0.01,
                       batch_size=batch_size, epochs=4, seed=0)
    assert history.train_loss[-1] < history.train_loss[0]


def test_a_torch_dataset_gives_the_same_result_as_arrays():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((40, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    a = nn.MLP(3, (4,), 2, seed=0)
    b = nn.MLP(3, (4,), 2, seed=0)
    ha = nn.train(a, (x, y), batch_size=40, epochs=3, seed=0)
    hb = nn.train(b, torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=40, epochs=3,
                  seed=0)
    np.testing.assert_allclose(ha.train_loss, hb.train_loss, rtol=1e-6)


# --- determinism, checkpoints, resume ----------------------------------------------------------------


def test_same_seed_gives_identical_runs_and_leaves_global_rng_alone(digits):
    x, y = digits.train[0][:200], digits.train[1][:200]
    state = torch.get_rng_state()
    runs = []
    for _ in range(2):
        net = nn.MLP(64, (16,), 10, dropout=0.2, seed=1)
        history = nn.train(net, (x, y), digits.val, batch_size=16, epochs=3, seed=5)
        runs.append((history, _weights(net)))
    assert torch.equal(torch.get_rng_state(), state)
    assert runs[0][0].train_loss == runs[1][0].train_loss and runs[0][0].val_metric == runs[1][0].val_metric
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    other = nn.MLP(64, (16,), 10, dropout=0.2, seed=1)
    assert nn.train(other, (x, y), batch_size=16, epochs=3, seed=6).train_loss != runs[0][0].train_loss


def test_resume_after_interruption_equals_an_uninterrupted_run(digits, tmp_path):
    x, y = digits.train[0][:200], digits.train[1][:200]
    full = nn.MLP(64, (16,), 10, dropout=0.3, seed=2)
    h_full = nn.train(full, (x, y), digits.val, optimizer="momentum", lr=0.05, batch_size=16, epochs=4, seed=3)

    path = tmp_path / "ck.pt"
    part = nn.MLP(64, (16,), 10, dropout=0.3, seed=2)
    nn.train(part, (x, y), digits.val, optimizer="momentum", lr=0.05, batch_size=16, epochs=2, seed=3,
             checkpoint=path)
    resumed = nn.MLP(64, (16,), 10, dropout=0.3, seed=99)  # different start: everything comes from the file
    h_resumed = nn.train(resumed, (x, y), digits.val, optimizer="momentum", lr=0.05, batch_size=16, epochs=4,
                         seed=3, resume=path, checkpoint=path)
    assert h_resumed.epoch == [1, 2, 3, 4]
    np.testing.assert_array_equal(h_resumed.train_loss, h_full.train_loss)
    np.testing.assert_array_equal(h_resumed.val_loss, h_full.val_loss)
    assert all(torch.equal(a, b) for a, b in zip(_weights(resumed), _weights(full)))
    ck = nn.load_checkpoint(path)
    assert ck.epoch == 4 and ck.config["optimizer"] == "momentum" and len(ck.history) == 4
    assert all(torch.equal(a, b) for a, b in zip(_weights(ck.model), _weights(full)))


def test_save_and_load_checkpoint_round_trip(tmp_path):
    net = nn.CNN(1, 3, (2, 4), input_shape=(8, 8), seed=0)
    opt = torch.optim.Adam(net.parameters())
    history = training.History("accuracy")
    history.append(1, 1.0, 1.1, 0.5, 0.4, 0.1)
    path = nn.save_checkpoint(tmp_path / "cnn.pt", net, opt, history, {"lr": 0.1})
    ck = nn.load_checkpoint(path)
    assert isinstance(ck.model, nn.CNN) and not ck.model.training
    assert ck.epoch == 1 and ck.config == {"lr": 0.1} and ck.history.as_dict() == history.as_dict()
    assert ck.optimizer_state is not None
    x = torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    net.eval()
    assert torch.equal(ck.model(x), net(x))


def test_load_checkpoint_of_a_foreign_model_needs_model(tmp_path):
    module = torch.nn.Linear(2, 2)
    path = nn.save_checkpoint(tmp_path / "lin.pt", module)
    with pytest.raises(ValueError, match="model="):
        nn.load_checkpoint(path)
    other = torch.nn.Linear(2, 2)
    ck = nn.load_checkpoint(path, model=other)
    assert torch.equal(ck.model.weight, module.weight)


def test_load_checkpoint_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load_checkpoint(tmp_path / "missing.pt")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a fastdip checkpoint"):
        nn.load_checkpoint(bad)
    other = tmp_path / "other.pt"
    torch.save({"a": torch.zeros(1)}, other)
    with pytest.raises(ValueError, match="not a fastdip checkpoint"):
        nn.load_checkpoint(other)


def test_early_stopping_stops_and_restores_the_best_epoch(digits):
    x, y = digits.train[0][:60], digits.train[1][:60]
    net = nn.MLP(64, (256, 256), 10, seed=0)
    history = nn.train(net, (x, y), digits.val, lr=1e-2, batch_size=60, epochs=200, early_stopping=3, seed=0)
    assert len(history) < 200
    best = history.best_epoch
    assert len(history) == best + 3
    with torch.no_grad():
        logits = net(torch.as_tensor(digits.val[0]))
        val_loss = float(torch.nn.functional.cross_entropy(logits, torch.as_tensor(digits.val[1])))
    assert val_loss == pytest.approx(history.val_loss[best - 1], rel=1e-5)


# --- history -----------------------------------------------------------------------------------------


def test_history_csv_and_plot(tmp_path):
    h = training.History("dice")
    for epoch in range(1, 4):
        h.append(epoch, 1 / epoch, 1.5 / epoch, 0.5 + 0.1 * epoch, 0.4 + 0.1 * epoch, 0.01)
    path = h.to_csv(tmp_path / "h.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,train_loss,val_loss,train_metric,val_metric,seconds" and len(lines) == 4
    assert lines[1].startswith("1,1.0,1.5,0.6")
    fig = h.plot(title="t")
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "dice"
    assert training.History.from_dict(h.as_dict()) == h


# --- inference ---------------------------------------------------------------------------------------


def _local_net(seed=0):
    # receptive-field radius 2 (two 3x3 convolutions)
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.Tanh(),
                               torch.nn.Conv2d(4, 1, 3, padding=1))


@pytest.mark.parametrize("shape, tile, overlap", [((75, 93), 32, 8), ((64, 64), 16, 12), ((20, 131), (20, 40), 9),
                                                   ((10, 10), 32, 8)])
def test_tiled_equals_untiled_when_the_receptive_field_fits(shape, tile, overlap):
    with torch.random.fork_rng(devices=[]):
        net = _local_net()
    image = np.random.default_rng(3).random(shape).astype(np.float32)
    whole = nn.predict(net, image, output="logits")
    tiled = nn.predict(net, image, tile=tile, overlap=overlap, batch_size=3, output="logits")
    assert tiled.shape == whole.shape == shape
    np.testing.assert_allclose(tiled, whole, atol=1e-5)


def test_tiled_unet_is_close_to_untiled():
    cells = nn.synthetic_cells(1, (96, 112), seed=4)
    net = nn.UNet(1, 1, depth=2, base_channels=4, seed=0).eval()
    whole = nn.predict(net, cells.images[0])
    tiled = nn.predict(net, cells.images[0], tile=48, overlap=24)
    assert tiled.shape == whole.shape
    assert np.abs(tiled - whole).mean() < 0.01


def test_predict_output_shapes_follow_the_image_convention():
    image = np.random.default_rng(5).random((3, 17, 19)).astype(np.float32)  # channel-first colour
    two = nn.UNet(3, 2, depth=1, base_channels=2, seed=0)
    probs = nn.predict(two, image, channel_axis=0)
    assert probs.shape == (17, 19, 2)
    np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-6)
    probs_last = nn.predict(two, np.moveaxis(image, 0, -1), channel_axis=-1)
    np.testing.assert_allclose(probs_last, probs, atol=1e-6)
    one = nn.UNet(1, 1, depth=1, base_channels=2, dims=3, seed=0)
    vol = nn.predict(one, image)
    assert vol.shape == (3, 17, 19) and ((vol >= 0) & (vol <= 1)).all()


def test_predict_classifier_returns_probabilities_and_restores_train_mode(digits):
    net = nn.MLP(64, (8,), 10, dropout=0.5, seed=0)
    net.train()
    probs = nn.predict(net, digits.test[0][:7], batch_size=3)
    assert probs.shape == (7, 10) and net.training
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    np.testing.assert_allclose(probs, nn.predict(net, digits.test[0][:7]), atol=1e-6)  # eval: no dropout


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kw, match", [
    ({"loss": "hinge"}, "loss"), ({"optimizer": "rmsprop"}, "optimizer"), ({"lr": 0}, "lr"),
    ({"batch_size": 0}, "batch_size"), ({"epochs": -1}, "epochs"), ({"early_stopping": 0}, "early_stopping"),
    ({"momentum": 1.0}, "momentum"), ({"num_threads": 0}, "num_threads"),
])
def test_train_errors_name_the_parameter(kw, match):
    net = nn.MLP(2, (2,), 2)
    with pytest.raises(ValueError, match=match):
        nn.train(net, (np.zeros((4, 2)), np.zeros(4)), **kw)


def test_train_data_errors():
    net = nn.MLP(2, (2,), 2)
    with pytest.raises(TypeError, match="train_data"):
        nn.train(net, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="train_data"):
        nn.train(net, (np.zeros((4, 2)), np.zeros(3)))
    with pytest.raises(TypeError, match="model"):
        nn.train("net", (np.zeros((4, 2)), np.zeros(4)))


def test_predict_errors():
    net = nn.UNet(1, 1, depth=1, base_channels=2)
    with pytest.raises(ValueError, match="image"):
        nn.predict(net, np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match="overlap"):
        nn.predict(net, np.zeros((40, 40)), tile=16, overlap=16)
    with pytest.raises(ValueError, match="output"):
        nn.predict(net, np.zeros((8, 8)), output="mask")
    with pytest.raises(ValueError, match="finite"):
        nn.predict(net, np.full((8, 8), np.nan))
