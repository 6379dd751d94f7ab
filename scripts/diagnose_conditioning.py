"""Measures why a conditional GAN follows (or ignores) the label, one short run per conditioning.

    python scripts/diagnose_conditioning.py --dataset mnist --data-dir /data/mnist --model mlp \
        --train-size 12800 --epochs 1 --conditionings concat projection acgan

For each conditioning it trains the same networks for the same steps (in this process, nothing
written) and prints: the generator's label accuracy (shipped classifier, 2000 samples); the
discriminator's label preference on 1000 real test images (share whose highest-scoring label is
the true one: 0.10 means the discriminator ignores the label) and the spread of its scores over
the 10 labels against the spread over images; and the share of the first layer's input weight
norm that sits on the label embedding.

With `--setting NAME JSON` (repeatable) it compares training settings of one conditional model
instead: each JSON object overrides `ImageGANConfig` fields (for example
`--setting hinge-sn '{"loss": "hinge", "spectral_norm": true}'`), and every `--eval-every` steps
it prints the label accuracy and within-class diversity ratio (2000 samples, 200 per class,
against 5000 real training images; see `timegan.images.metrics.class_conditional_scores`), the mean
per-class Frechet distance, the label accuracy and diversity with the generator's batch norm in training mode (batch
statistics; inference uses the moving averages), the mean discriminator logits on real and fake
images and the last step's losses:

    python scripts/diagnose_conditioning.py --dataset mnist --data-dir /data/mnist --model dcgan \
        --train-size 19200 --eval-every 100 --setting base '{}' --setting hinge '{"loss": "hinge"}'
"""

import argparse
import json
import sys
import time

import numpy as np

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_int, run

PROG = "diagnose_conditioning"


def main(argv=None):
    parser = ArgumentParser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, choices=("mnist", "fashion-mnist"))
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--model", default="mlp", choices=("mlp", "dcgan"))
    parser.add_argument(
        "--conditionings",
        nargs="+",
        default=["concat", "projection", "acgan"],
        choices=("concat", "projection", "acgan"),
    )
    parser.add_argument("--train-size", type=positive_int, default=12800)
    parser.add_argument("--epochs", type=positive_int, default=1)
    parser.add_argument("--filters", type=positive_int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--setting",
        nargs=2,
        action="append",
        metavar=("NAME", "JSON"),
        help="compare settings: a name and a JSON object of ImageGANConfig fields (repeatable)",
    )
    parser.add_argument("--eval-every", type=positive_int, default=100, help="steps between scores (--setting)")
    args = parser.parse_args(argv)
    configure_logging()
    settings = []
    for name, text in args.setting or []:
        try:
            overrides = json.loads(text)
        except json.JSONDecodeError as error:
            parser.error(f"--setting {name}: expected a JSON object. Received: {text!r} ({error})")
        if not isinstance(overrides, dict):
            parser.error(f"--setting {name}: expected a JSON object. Received: {text!r}")
        settings.append((name, overrides))

    def _main():
        import keras

        from timegan.images.classifier import ClassifierProbe, load_classifier
        from timegan.images.config import ImageGANConfig
        from timegan.images.data import load_images, subset, to_model_range
        from timegan.images.gan import ImageGAN, make_dataset
        from timegan.images.networks import build_discriminator, build_generator

        images, labels = load_images(args.dataset, "train", args.data_dir)
        images, labels = subset(images, labels, args.train_size, args.seed)
        test_images, test_labels = load_images(args.dataset, "test", args.data_dir)
        real, real_labels = to_model_range(test_images[:1000]), test_labels[:1000]
        probe = ClassifierProbe(load_classifier(args.dataset))
        echo(f"{args.dataset}, {args.model}, {args.train_size} images x {args.epochs} epoch(s), seed {args.seed}")
        if settings:
            _compare_settings(args, settings, images, labels)
            return
        echo(
            "| conditioning | label accuracy (G) | D label preference (real) | label spread / image spread "
            "| label share of D's first-layer weights | CPU s |"
        )
        echo("|---|---|---|---|---|---|")
        for conditioning in args.conditionings:
            keras.utils.set_random_seed(args.seed)
            config = ImageGANConfig(
                architecture=args.model,
                conditional=True,
                conditioning=conditioning,
                filters=args.filters,
                seed=args.seed,
            )
            gan = ImageGAN(build_generator(config), build_discriminator(config), config)
            gan.compile()
            dataset = make_dataset(to_model_range(images), labels, 64, 1, args.seed, True)
            cpu = time.process_time()
            gan.fit(dataset, epochs=args.epochs, verbose=0)
            cpu = time.process_time() - cpu
            requested = np.arange(2000) % 10
            _, probabilities = probe(gan.generate(2000, labels=requested))
            accuracy = np.mean(probabilities.argmax(axis=1) == requested)
            scores = gan.label_logits(real)
            preference = np.mean(scores.argmax(axis=1) == real_labels)
            spread = scores.std(axis=1).mean() / max(scores.mean(axis=1).std(), 1e-12)
            share = "-"
            if conditioning == "concat" and args.model == "mlp":
                kernel = keras.ops.convert_to_numpy(gan.discriminator.get_layer("dense0").kernel)
                share = f"{np.linalg.norm(kernel[-config.label_embedding_dim :]) / np.linalg.norm(kernel):.3f}"
            echo(f"| {conditioning} | {accuracy:.3f} | {preference:.3f} | {spread:.3f} | {share} | {cpu:.0f} |")

    return run(_main, PROG)


class _Scores:
    """Scores a conditional generator during training (the `--setting` mode)."""

    def __init__(self, dataset, data_dir, seed):
        from timegan.images.classifier import ClassifierProbe, load_classifier
        from timegan.images.data import load_images, subset, to_model_range

        self.probe = ClassifierProbe(load_classifier(dataset))
        images, labels = load_images(dataset, "train", data_dir)
        real, self.real_labels = subset(images, labels, 5000, seed + 1)
        self.real = to_model_range(real)[..., None]
        self.real_features, _ = self.probe(self.real)
        self.requested = np.arange(2000, dtype=np.int32) % 10

    def __call__(self, gan):
        from keras import ops

        from timegan.images.metrics import class_conditional_scores

        config = gan.config
        noise = np.random.default_rng(config.seed).standard_normal((2000, config.latent_dim)).astype(np.float32)
        scores = {}
        for mode, training in (("", False), ("_train_bn", True)):
            fake = np.concatenate(
                [
                    ops.convert_to_numpy(
                        gan.generator([noise[i : i + 500], self.requested[i : i + 500]], training=training)
                    )
                    for i in range(0, 2000, 500)
                ]
            )
            features, probabilities = self.probe(fake)
            result = class_conditional_scores(
                features,
                probabilities,
                self.requested,
                self.real_features,
                self.real_labels,
                fake_pixels=fake,
                real_pixels=self.real,
            )
            scores[f"accuracy{mode}"] = result.label_accuracy
            scores[f"diversity{mode}"] = result.diversity_ratio
            scores[f"pixel_diversity{mode}"] = result.pixel_diversity_ratio
            if not training:
                scores["frechet"] = float(np.mean(result.frechet_per_class))
                real_logits, _ = gan.discriminate(gan.pack(self.real[:500]), self.real_labels[:500], training=False)
                fake_logits, _ = gan.discriminate(gan.pack(fake[:500]), self.requested[:500], training=False)
                scores["d_real"] = float(np.mean(ops.convert_to_numpy(real_logits)))
                scores["d_fake"] = float(np.mean(ops.convert_to_numpy(fake_logits)))
        return scores


def _compare_settings(args, settings, images, labels):
    import keras

    from timegan.images.config import ImageGANConfig
    from timegan.images.data import to_model_range
    from timegan.images.gan import ImageGAN, make_dataset
    from timegan.images.networks import build_discriminator, build_generator

    score = _Scores(args.dataset, args.data_dir, args.seed)
    echo(
        "| setting | step | label accuracy | diversity ratio (features, pixels) | mean per-class FD | label accuracy, diversity "
        "(BN batch stats) | D(real) | D(fake) | d_loss | g_loss | CPU s |"
    )
    echo("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, overrides in settings:
        keras.utils.set_random_seed(args.seed)
        values = dict(architecture=args.model, conditional=True, filters=args.filters, seed=args.seed)
        values.update(overrides)
        config = ImageGANConfig(**values)
        gan = ImageGAN(build_generator(config), build_discriminator(config), config)
        gan.compile()
        dataset = make_dataset(to_model_range(images), labels, 64, config.discriminator_steps, args.seed, True)
        progress = _Progress(name, gan, score, args.eval_every)
        gan.fit(dataset, epochs=args.epochs, verbose=0, callbacks=[progress.callback])
        if progress.step % args.eval_every:
            progress.report()


class _Progress:
    """Prints one table row of `_Scores` every `every` training steps (through `self.callback`)."""

    def __init__(self, name, gan, score, every):
        import keras

        self.name, self.gan, self.score, self.every = name, gan, score, every
        self.step, self.cpu, self.logs = 0, 0.0, {}
        self.started = time.process_time()
        self.callback = keras.callbacks.LambdaCallback(on_train_batch_end=self.on_train_batch_end)

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        self.logs = logs or {}
        if self.step % self.every == 0:
            self.report()

    def report(self):
        self.cpu += time.process_time() - self.started
        s = self.score(self.gan)
        d_loss, g_loss = (float(self.logs.get(key, np.nan)) for key in ("d_loss", "g_loss"))
        echo(
            f"| {self.name} | {self.step} | {s['accuracy']:.3f} | {s['diversity']:.3f}, {s['pixel_diversity']:.3f} "
            f"| {s['frechet']:.1f} "
            f"| {s['accuracy_train_bn']:.3f}, {s['diversity_train_bn']:.3f} | {s['d_real']:+.2f} | {s['d_fake']:+.2f} "
            f"| {d_loss:.3f} | {g_loss:.3f} | {self.cpu:.0f} |"
        )
        self.started = time.process_time()


if __name__ == "__main__":
    sys.exit(main())
