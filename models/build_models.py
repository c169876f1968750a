#!/usr/bin/env python3
"""Build MediaPipe PoseLandmarker ``.task`` bundles offline from the npm package ``@mediapipe/pose``.

Why: the official ``.task`` files are downloaded from Google's storage, which is unreachable
here and behind many clinic firewalls, and no PyPI/npm package ships them. The npm package
``@mediapipe/pose`` (Apache-2.0) carries the same networks as bare ``.tflite`` files; this
script adds the image-input metadata mediapipe 1.x requires (RGB + normalisation) and
packs detector + landmark model into the ``.task`` zip layout. The output is byte-reproducible.

Usage::

    python models/build_models.py                 # lite, full and heavy (runs `npm pack`)
    python models/build_models.py --variants heavy
    python models/build_models.py --tarball mediapipe-pose-0.5.1675469404.tgz

Needs: npm (for `npm pack`, registry only) unless --tarball is given; the ``flatbuffers``
package and mediapipe's bundled TFLite/metadata schemas (both come with ``mediapipe``).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

NPM_SPEC = "@mediapipe/pose@0.5.1675469404"
NPM_TARBALL_SHA256 = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"
# The packed-assets file of the npm package holds one member, the pose detector, at these
# offsets (see pose_solution_packed_assets_loader.js in the package).
DETECTOR_MEMBER = "package/pose_solution_packed_assets.data"
DETECTOR_SPAN = (0, 2_962_288)
LANDMARK_MEMBER = "package/pose_landmark_{variant}.tflite"
VARIANTS = ("lite", "full", "heavy")

# Input normalisation expected by each network (mean, std). Measured: wrong values still
# load but shift landmarks by 3-16 px on average.
DETECTOR_NORM = (127.5, 127.5)  # input range [-1, 1]
LANDMARK_NORM = (0.0, 255.0)  # input range [0, 1]

MODELS_DIR = Path(__file__).resolve().parent
# Fixed zip timestamp so the bundle is byte-reproducible.
ZIP_DATE = (2023, 1, 1, 0, 0, 0)


def _schemas():
    try:
        from mediapipe.tasks.metadata import metadata_schema_py_generated as md
        from mediapipe.tasks.metadata import schema_py_generated as tfl
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit(f"build_models: cannot import mediapipe's TFLite schemas ({exc}); "
                         "install the project first: pip install -e .") from exc
    import flatbuffers  # noqa: F401  (a mediapipe dependency)

    return md, tfl


def _tensor_md(md, name: str, norm: tuple[float, float] | None):
    tm = md.TensorMetadataT()
    tm.name = name
    if norm is not None:
        mean, std = norm
        tm.content = md.ContentT()
        tm.content.contentPropertiesType = md.ContentProperties.ImageProperties
        props = md.ImagePropertiesT()
        props.colorSpace = md.ColorSpaceType.RGB
        tm.content.contentProperties = props
        unit = md.ProcessUnitT()
        unit.optionsType = md.ProcessUnitOptions.NormalizationOptions
        opts = md.NormalizationOptionsT()
        opts.mean = [mean]
        opts.std = [std]
        unit.options = opts
        tm.processUnits = [unit]
        stats = md.StatsT()
        stats.max = [(255.0 - mean) / std]
        stats.min = [(0.0 - mean) / std]
        tm.stats = stats
    return tm


def _aligned_builder_class():
    import flatbuffers
    import numpy as np

    class AlignedBuilder(flatbuffers.Builder):
        """TFLite's schema wants weight buffers 16-byte aligned (``force_align: 16``); the
        generated Python ``Pack`` aligns byte vectors to 1, so align them here."""

        def CreateNumpyVector(self, x):
            if x.dtype != np.uint8:
                return super().CreateNumpyVector(x)
            payload = x.tobytes()
            self.StartVector(1, len(payload), 16)
            self.head -= len(payload)
            self.Bytes[self.head:self.head + len(payload)] = payload
            self.vectorNumElems = len(payload)
            return self.EndVector()

    return AlignedBuilder


def add_image_metadata(tflite: bytes, name: str, norm: tuple[float, float]) -> bytes:
    """Return ``tflite`` with a TFLITE_METADATA entry describing an RGB, normalised image input."""
    import flatbuffers

    md, tfl = _schemas()
    _AlignedBuilder = _aligned_builder_class()
    model = tfl.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    graph = model.subgraphs[0]

    meta = md.ModelMetadataT()
    meta.name = name
    meta.description = "Built by footdrop tracker from npm @mediapipe/pose (Apache-2.0)."
    meta.version = "1"
    meta.license = "Apache-2.0"
    sub = md.SubGraphMetadataT()
    sub.inputTensorMetadata = [_tensor_md(md, "image", norm)]
    sub.outputTensorMetadata = [
        _tensor_md(md, graph.tensors[i].name.decode(), None) for i in graph.outputs
    ]
    meta.subgraphMetadata = [sub]
    meta.minParserVersion = "1.0.0"
    b = flatbuffers.Builder(0)
    b.Finish(meta.Pack(b), file_identifier=b"M001")
    meta_bytes = bytes(b.Output())

    model.metadata = [m for m in (model.metadata or []) if m.name != b"TFLITE_METADATA"]
    buf = tfl.BufferT()
    buf.data = list(meta_bytes)
    model.buffers.append(buf)
    entry = tfl.MetadataT()
    entry.name = b"TFLITE_METADATA"
    entry.buffer = len(model.buffers) - 1
    model.metadata.append(entry)

    b = _AlignedBuilder(len(tflite) + 4096)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def pack_task(detector: bytes, landmarker: bytes) -> bytes:
    """A ``.task`` is an uncompressed zip whose members start on 4-byte boundaries (mmap-able)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in (("pose_detector.tflite", detector),
                           ("pose_landmarks_detector.tflite", landmarker)):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            # local header = 30 bytes + name; pad with an "extra" field to align the data.
            header_end = out.tell() + 30 + len(name)
            pad = (-header_end) % 4
            if pad:
                pad = pad if pad >= 4 else pad + 4  # an extra field needs >= 4 bytes
                info.extra = b"\xfe\xca" + (pad - 4).to_bytes(2, "little") + b"\0" * (pad - 4)
            zf.writestr(info, data)
    return out.getvalue()


def _npm_pack(workdir: Path) -> Path:
    try:
        subprocess.run(["npm", "pack", NPM_SPEC, "--silent"], cwd=workdir, check=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError as exc:
        raise SystemExit("build_models: npm not found; install Node.js/npm or pass --tarball") from exc
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"build_models: `npm pack {NPM_SPEC}` failed: {exc.stderr.decode()[-300:]}")
    return next(workdir.glob("mediapipe-pose-*.tgz"))


def build(variants: list[str], tarball: Path | None, out_dir: Path) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        tgz = tarball or _npm_pack(Path(tmp))
        data = Path(tgz).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != NPM_TARBALL_SHA256:
            raise SystemExit(f"build_models: {tgz} has sha256 {digest}, expected {NPM_TARBALL_SHA256}")
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
            packed = tf.extractfile(DETECTOR_MEMBER).read()
            detector_raw = packed[DETECTOR_SPAN[0]:DETECTOR_SPAN[1]]
            detector = add_image_metadata(detector_raw, "pose_detector", DETECTOR_NORM)
            sums = {}
            for v in variants:
                raw = tf.extractfile(LANDMARK_MEMBER.format(variant=v)).read()
                lm = add_image_metadata(raw, f"pose_landmarks_detector_{v}", LANDMARK_NORM)
                task = pack_task(detector, lm)
                name = f"pose_landmarker_{v}.task"
                (out_dir / name).write_bytes(task)
                sums[name] = hashlib.sha256(task).hexdigest()
                print(f"wrote {out_dir / name} ({len(task) / 1e6:.1f} MB) sha256 {sums[name]}")
    return sums


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    ap.add_argument("--tarball", type=Path, help="a local copy of the npm tarball (skips npm pack)")
    ap.add_argument("--out", type=Path, default=MODELS_DIR)
    ap.add_argument("--update-manifest", action="store_true",
                    help="write the checksums into models/SHA256SUMS (maintainers only)")
    args = ap.parse_args(argv)
    sums = build(args.variants, args.tarball, args.out)
    if args.update_manifest:
        manifest = args.out / "SHA256SUMS"
        lines = dict(
            (ln.split()[1], ln.split()[0]) for ln in manifest.read_text().splitlines() if ln.strip()
        ) if manifest.exists() else {}
        lines.update(sums)
        manifest.write_text("".join(f"{h}  {n}\n" for n, h in sorted(lines.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
