"""Uploads written to hurt: for the tests of the web page and the decoders.

* :func:`write_solid_clip`: the issue's 98 KB clip, a few frames of one
  colour at 7680x4320 (x264 ultrafast, as ``ffmpeg -f lavfi -i
  color=c=red:size=7680x4320:rate=1 -t 2 -c:v libx264 -preset ultrafast``).
  Tiny on disk, 100 MB per frame once decoded to RGB at its own size.
* :func:`claim_frame_size`: a small valid GIF, MJPEG AVI or H.264 MP4 whose
  header states another frame size (the GIF's screen, the JPEG frames' and
  the AVI's headers, the H.264 sequence parameter set that decoders trust).
* :func:`mutated_uploads`: a seeded corpus of broken, disguised and lying
  uploads made from small valid clips (the fuzz test's 200 requests).

Nothing binary is committed: everything is made from clips the caller
encodes (:func:`dance_style.synthetic.formats.write_encoded`).
"""
import struct
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

import numpy as np


def write_solid_clip(path: Union[str, Path], size: Tuple[int, int] = (7680,
                                                                     4320),
                     frames: int = 2, fps: float = 1.0,
                     colour: Tuple[int, int, int] = (255, 0, 0)) -> Path:
    """``frames`` frames of one ``colour`` at ``size`` (width, height),
    H.264 ultrafast in .mp4: about 100 KB at 8K. The encoder holds a few
    frames (measured: 0.56 GB peak RSS and 1.9 s for the 8K clip)."""
    import av
    path = Path(path)
    width, height = size
    rgb = np.empty((height, width, 3), np.uint8)
    rgb[...] = colour
    with av.open(str(path), 'w', format='mp4') as container:
        stream = container.add_stream('libx264', rate=int(fps),
                                      options={'preset': 'ultrafast'})
        stream.width, stream.height, stream.pix_fmt = width, height, 'yuv420p'
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format='rgb24')
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# --- frame sizes in headers --------------------------------------------

def claim_frame_size(data: bytes, kind: str, width: int,
                     height: int) -> bytes:
    """``data`` (a GIF, an MJPEG ``.avi`` or an H.264 ``.mp4`` as PyAV
    writes them: ``kind`` 'gif', 'avi' or 'mp4') with every header that
    states the frame size saying ``width`` x ``height`` instead (the
    pictures inside stay small)."""
    if kind == 'gif':  # logical screen: bytes 6-9, little-endian
        return data[:6] + struct.pack('<HH', width, height) + data[10:]
    if kind == 'avi':
        return _claim_avi(data, width, height)
    if kind == 'mp4':
        return _claim_mp4(data, width, height)
    raise ValueError(f'kind is gif, avi or mp4; got {kind!r}')


def _claim_avi(data: bytes, width: int, height: int) -> bytes:
    out = bytearray(data)
    at = out.find(b'avih')  # main header: dwWidth, dwHeight at 32..39
    out[at + 40:at + 48] = struct.pack('<II', width, height)
    at = out.find(b'strf')  # BITMAPINFOHEADER: biWidth, biHeight at 4..11
    out[at + 12:at + 20] = struct.pack('<ii', width, height)
    at = out.find(b'\xff\xc0')  # each JPEG's SOF0: height, width at 5..8
    while at >= 0:
        out[at + 5:at + 9] = struct.pack('>HH', height, width)
        at = out.find(b'\xff\xc0', at + 2)
    return bytes(out)


class _BitReader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def u(self, n: int) -> int:
        value = 0
        for _ in range(n):
            bit = (self.data[self.pos >> 3] >> (7 - (self.pos & 7))) & 1
            value, self.pos = (value << 1) | bit, self.pos + 1
        return value

    def ue(self) -> int:  # Exp-Golomb, H.264 7.2
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
        return (1 << zeros) - 1 + self.u(zeros)


class _BitWriter:
    def __init__(self):
        self.bits: List[int] = []

    def u(self, n: int, value: int) -> None:
        self.bits += [(value >> (n - 1 - i)) & 1 for i in range(n)]

    def ue(self, value: int) -> None:
        value += 1
        self.u(value.bit_length() - 1, 0)
        self.u(value.bit_length(), value)

    def data(self) -> bytes:
        bits = self.bits + [0] * (-len(self.bits) % 8)
        return bytes(int(''.join(map(str, bits[i:i + 8])), 2)
                     for i in range(0, len(bits), 8))


def _unescape(nal: bytes) -> bytes:
    """NAL payload without emulation-prevention bytes (00 00 03)."""
    out, zeros = bytearray(), 0
    for byte in nal:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _escape(rbsp: bytes) -> bytes:
    out, zeros = bytearray(), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


# profile_idc values whose SPS carries chroma format and bit depths (7.3.2.1)
_HIGH_PROFILES = (100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134,
                  135)


def rewrite_sps(nal: bytes, width: int, height: int) -> bytes:
    """An H.264 sequence parameter set NAL unit (its header byte first)
    stating ``width`` x ``height`` (in whole macroblocks); every other
    field kept. Handles what x264 writes (no scaling matrices, picture
    order count type 0 or 2)."""
    rbsp = _unescape(nal[1:])
    read, write = _BitReader(rbsp), _BitWriter()
    profile = read.u(8)
    write.u(8, profile)
    write.u(16, read.u(16))  # constraint flags, level
    write.ue(read.ue())  # seq_parameter_set_id
    if profile in _HIGH_PROFILES:
        chroma = read.ue()
        write.ue(chroma)
        if chroma == 3:
            write.u(1, read.u(1))
        write.ue(read.ue())  # bit depths
        write.ue(read.ue())
        write.u(1, read.u(1))
        if read.u(1):
            raise ValueError('an SPS with scaling matrices: not handled')
        write.u(1, 0)
    write.ue(read.ue())  # log2_max_frame_num_minus4
    order = read.ue()
    write.ue(order)
    if order == 0:
        write.ue(read.ue())
    elif order == 1:
        raise ValueError('picture order count type 1: not handled')
    write.ue(read.ue())  # max_num_ref_frames
    write.u(1, read.u(1))
    read.ue(), read.ue()  # the size, in macroblocks minus one
    write.ue((width + 15) // 16 - 1)
    write.ue((height + 15) // 16 - 1)
    while read.pos < len(rbsp) * 8:  # the rest, trailing bits included
        write.u(1, read.u(1))
    return nal[:1] + _escape(write.data())


_MP4_PARENTS = (b'moov', b'trak', b'mdia', b'minf', b'stbl')


def _boxes(data, start: int, end: int):
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack('>I4s', data[at:at + 8])
        if size < 8:
            return
        yield at, size, kind
        at += size


def _claim_mp4(data: bytes, width: int, height: int) -> bytes:
    """The avc1 sample entry's size fields and its avcC's SPS rewritten;
    the boxes around them resized. PyAV writes the moov box after the
    media data, so no chunk offset moves."""
    out = bytearray(data)

    def find(start, end, parents):
        for at, size, kind in _boxes(out, start, end):
            if kind in _MP4_PARENTS:
                found = find(at + 8, at + size, parents + [at])
                if found:
                    return found
            elif kind == b'stsd':  # version, flags, entry count: 8 bytes
                for entry, entry_size, entry_kind in _boxes(
                        out, at + 16, at + size):
                    if entry_kind != b'avc1':
                        continue
                    # the visual sample entry's fields take 78 bytes
                    for box, box_size, box_kind in _boxes(
                            out, entry + 86, entry + entry_size):
                        if box_kind == b'avcC':
                            return parents + [at, entry], box, box_size
        return None

    found = find(0, len(out), [])
    if found is None:
        raise ValueError('no avc1/avcC box: not an H.264 .mp4')
    parents, box, box_size = found
    kinds = [kind for _, _, kind in _boxes(out, 0, len(out))]
    if kinds.index(b'moov') < kinds.index(b'mdat'):
        raise ValueError('moov before mdat: resizing it would move the '
                         'chunk offsets')
    avcc = bytes(out[box + 8:box + box_size])
    length = struct.unpack('>H', avcc[6:8])[0]
    sps = rewrite_sps(avcc[8:8 + length], width, height)
    avcc = avcc[:6] + struct.pack('>H', len(sps)) + sps + avcc[8 + length:]
    grown = 8 + len(avcc) - box_size
    out[box:box + box_size] = struct.pack('>I4s', 8 + len(avcc),
                                          b'avcC') + avcc
    for parent in parents:
        size = struct.unpack('>I', out[parent:parent + 4])[0]
        out[parent:parent + 4] = struct.pack('>I', size + grown)
    entry = parents[-1]  # avc1: width, height at 32..35
    out[entry + 32:entry + 36] = struct.pack('>HH', min(width, 65535),
                                             min(height, 65535))
    return bytes(out)


# --- the fuzz corpus -------------------------------------------------------

class Upload(NamedTuple):
    """One request body: ``content_type`` None sends no Content-Type;
    ``content_length`` other than None is a Content-Length header that
    lies about the body."""
    kind: str
    body: bytes
    content_type: Optional[str]
    content_length: Optional[int] = None


KINDS = ('truncated', 'bit-flipped', 'zero-length', 'claims 30000x30000',
         'playlist', 'wrong type', 'disguised', 'no type', 'huge length')

_PLAYLISTS = (
    '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{path}\n'
    '#EXT-X-ENDLIST\n',
    '#EXTM3U\n#EXTINF:10,\nfile://{path}\n#EXT-X-ENDLIST\n',
    '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2,\n'
    'http://127.0.0.1:1/x.ts\n#EXT-X-ENDLIST\n',
    'ffconcat version 1.0\nfile \'{path}\'\n',
    "file '{path}'\nfile '/etc/passwd'\n",
    '[playlist]\nFile1={path}\nNumberOfEntries=1\n',
    'v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\n'
    'm=video 5004 RTP/AVP 96\na=rtpmap:96 H264/90000\n',
)
_WRONG_TYPES = ('text/plain', 'image/png', 'application/json',
                'multipart/form-data; boundary=x', 'text/html',
                'application/x-www-form-urlencoded', 'audio/mpeg')


def _not_videos(rng: np.random.Generator) -> List[bytes]:
    """Files that are not videos: images, text, an archive, a program."""
    import cv2
    picture = rng.integers(0, 256, (32, 32, 3), np.uint8)
    return [cv2.imencode('.png', picture)[1].tobytes(),
            cv2.imencode('.jpg', picture)[1].tobytes(),
            b'{"video": "dance.mp4"}\n',
            b'<!doctype html><title>x</title><video src="a.mp4"></video>',
            b'PK\x03\x04' + rng.integers(0, 256, 200, np.uint8).tobytes(),
            b'\x7fELF\x02\x01\x01' + bytes(57),
            b'RIFF\x24\x00\x00\x00WAVEfmt ' + bytes(24)]


def mutated_uploads(clips: Dict[str, bytes], count: int = 200,
                    seed: int = 0, target: str = '/etc/hostname'
                    ) -> List[Upload]:
    """``count`` uploads made from valid ``clips`` ({'mp4', 'gif', 'avi'}:
    the bytes of small clips of each), the kinds of :data:`KINDS` in turn,
    the same list for the same ``seed``. ``target``: the path playlists
    point at."""
    rng = np.random.default_rng(seed)
    kinds = list(clips)
    not_videos = _not_videos(rng)
    uploads = []
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        source = kinds[int(rng.integers(len(kinds)))]
        data = clips[source]
        if kind == 'truncated':  # anywhere before the index's end
            data = clips['mp4']
            cut = int(rng.integers(1, _tracks_end(data)))
            uploads.append(Upload(kind, data[:cut], 'video/mp4'))
        elif kind == 'bit-flipped':
            flipped = bytearray(data)
            for _ in range(int(rng.integers(1, 9))):
                bit = int(rng.integers(len(flipped) * 8))
                flipped[bit // 8] ^= 1 << (bit % 8)
            uploads.append(Upload(kind, bytes(flipped), 'video/mp4'))
        elif kind == 'zero-length':
            uploads.append(Upload(kind, b'', ('video/mp4', 'video/webm',
                                              'application/octet-stream')[
                                                  index % 3]))
        elif kind == 'claims 30000x30000':
            size = ((30000, 30000) if rng.random() < 0.6 else
                    ((16000, 16000), (7681, 4320), (65535, 16))[
                        int(rng.integers(3))])
            uploads.append(Upload(kind, claim_frame_size(data, source,
                                                         *size),
                                  'application/octet-stream'))
        elif kind == 'playlist':
            text = _PLAYLISTS[int(rng.integers(len(_PLAYLISTS)))]
            uploads.append(Upload(kind, text.format(path=target).encode(),
                                  ('application/vnd.apple.mpegurl',
                                   'video/mp4', 'application/octet-stream')[
                                       index % 3]))
        elif kind == 'wrong type':  # a video, called something else
            uploads.append(Upload(kind, data, _WRONG_TYPES[
                int(rng.integers(len(_WRONG_TYPES)))]))
        elif kind == 'disguised':  # something else, called a video
            uploads.append(Upload(kind, not_videos[
                int(rng.integers(len(not_videos)))], 'video/mp4'))
        elif kind == 'no type':
            uploads.append(Upload(kind, data, None))
        else:  # 'huge length': the header promises far more than is sent
            uploads.append(Upload(kind, data[:int(rng.integers(1, 4096))],
                                  'video/mp4',
                                  int(rng.integers(2**31, 2**62))))
    return uploads


def _tracks_end(data: bytes) -> int:
    """Where an .mp4's last track box ends: cut before, the file has no
    complete index (what follows, metadata, can go without harm)."""
    for at, size, kind in _boxes(data, 0, len(data)):
        if kind == b'moov':
            return max(box + box_size for box, box_size, box_kind in
                       _boxes(data, at + 8, at + size) if box_kind == b'trak')
    raise ValueError('no moov box')
