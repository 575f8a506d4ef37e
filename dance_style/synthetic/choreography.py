"""The 19 motion programs of the synthetic dance dataset, and appearance sampling.

A clip shows one stick figure (head, torso, two arms, two legs, each limb two
segments). Its class is its *motion program*: which limbs move, in what pattern
(pendulum, full rotation, held-pose jumps, fast shaking, steps), at what tempo,
along which body trajectory, smooth or jerky. Everything a single frame shows
(colours, background, size, position, the pose of the limbs that do not move,
small offsets of every joint angle, the phase of the motion, left/right lead)
is drawn from the clip's generator independently of the class, so no single
frame tells the class; the motion does.

Conventions, in *figure units* (1.0 = standing height, head top to feet):

- image coordinates, x to the right, y down; the hip is the origin.
- an angle ``a`` is a direction ``d(a) = (sin a, cos a)``: 0 points down,
  +pi/2 to image right, pi up; growing angles turn counter-clockwise on screen.
- limb angles are *local*: side 0 is drawn on the image right (+x) and uses
  ``+a``, side 1 is its mirror and uses ``-a``; so equal local values are a
  mirror-symmetric pose ("jumping jack") and ``(+x, -x)`` deltas move both limbs
  the same way on screen ("pendulum pair"). The lower segment's angle is
  relative to the upper one.

Two training augmentations shape the design: horizontal flips (the pipeline)
and vertical flips (the offline augmentation). Every clip is mirrored with
probability 0.5 inside its own class, so a class never differs from another by
a left-right mirror image; no class is the upside-down version of another.
"""
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

import cv2
import numpy as np

from ..classes import DANCE19_CLASSES, NUM_CLASSES

# ---------------------------------------------------------------------------
# Body proportions, figure units. Head top sits 0.50 above the hip and the feet
# 0.48 below it, so the hip is the figure's centre and the height is 0.98.
TORSO = 0.30
NECK = 0.04
HEAD_R = 0.08
UPPER_ARM = 0.17
FOREARM = 0.16
THIGH = 0.25
SHIN = 0.23
SHOULDER_HALF = 0.07   # half width of the shoulder bar
HIP_HALF = 0.05        # half width of the hip bar
FIGURE_HEIGHT = TORSO + NECK + 2 * HEAD_R + THIGH + SHIN   # 0.98

TAU = 2 * np.pi

# Poses of limbs that a program leaves still, (upper, lower) local angles in
# rad. Shared by all classes, so a held arm or leg pose never names a class.
ARM_IDLE = (
    (0.25, 0.15),    # hanging
    (0.75, -1.90),   # hands on hips
    (1.50, 0.00),    # out to the side
    (1.45, 1.50),    # "goal post", forearms up
    (2.70, 0.30),    # overhead
    (-0.30, -1.40),  # crossed in front
    (0.50, 2.00),    # flexed, fist up
)
LEG_IDLE = (
    (0.10, 0.00),    # standing
    (0.28, -0.15),   # wide stance
    (0.50, -0.70),   # plie / horse stance
    (0.03, 0.02),    # feet together
)


@dataclass
class Pose:
    """A figure's motion over T frames; angles in rad, offsets in figure units.

    ``root`` (T, 2) moves the whole figure; ``rot`` (T,) turns it about the hip
    in the image plane; ``yaw`` (T,) turns it about its vertical axis (a
    pirouette: the figure's width scales by cos(yaw)); ``lean`` and ``head``
    tilt torso and head; the limb arrays are (T, 2), one column per side, in
    local angles (see the module docstring).
    """
    root: np.ndarray
    rot: np.ndarray
    yaw: np.ndarray
    lean: np.ndarray
    head: np.ndarray
    arm_up: np.ndarray
    arm_lo: np.ndarray
    leg_up: np.ndarray
    leg_lo: np.ndarray

    def mirrored(self) -> 'Pose':
        """The left-right mirror image: sides swap, screen angles and x negate."""
        root = self.root.copy()
        root[:, 0] *= -1
        return Pose(root, -self.rot, self.yaw, -self.lean, -self.head,
                    self.arm_up[:, ::-1].copy(), self.arm_lo[:, ::-1].copy(),
                    self.leg_up[:, ::-1].copy(), self.leg_lo[:, ::-1].copy())


@dataclass
class Appearance:
    """Everything about a clip that is not motion; drawn independently of the class.

    ``background`` is (H + 2*pad, W + 2*pad, 3) uint8 so the camera can shake by
    up to ``pad`` pixels; ``shake`` (T, 2) holds the integer (dx, dy) per frame.
    ``center`` is the hip's rest position in output pixels, ``scale`` pixels per
    figure unit, ``thickness`` the limb width in pixels.
    """
    background: np.ndarray
    pad: int
    shake: np.ndarray
    figure_rgb: Tuple[int, int, int]
    head_rgb: Tuple[int, int, int]
    center: Tuple[float, float]
    scale: float
    thickness: int
    noise_sigma: float


# ---------------------------------------------------------------------------
# Waveforms; ``tt`` is the clip's own time in seconds (tempo and phase applied).

def _wave(tt, period, phase=0.0):
    """Sine of period ``period`` seconds."""
    return np.sin(TAU * tt / period + phase)


def _raised(tt, period, phase=0.0):
    """0 -> 1 -> 0 smooth cycle (raised cosine), for 'goes there and back'."""
    return 0.5 - 0.5 * np.cos(TAU * tt / period + phase)


def _triangle(tt, period):
    """Triangle wave in [-1, 1]: constant speed, sharp turn-arounds."""
    x = (tt / period) % 1.0
    return 4 * np.abs(x - 0.5) - 1


def _hops(tt, period):
    """One hop per period: 0 on the ground, 1 at the apex (|sin|, parabola-like)."""
    return np.abs(np.sin(np.pi * tt / period))


def _ease(x):
    """Smoothstep on [0, 1]: starts and stops at zero speed."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _held(tt, hold, targets, ramp):
    """Piecewise-held sequence: ``targets[k + 1]`` is held during beat k after a
    ``ramp``-second smoothstep from ``targets[k]``; ramp 0 jumps at once.

    targets: (n, ...) with n >= floor(max(tt) / hold) + 2.
    """
    k = np.floor(tt / hold).astype(int)
    prev, cur = targets[k], targets[k + 1]
    if ramp <= 0:
        return cur
    w = _ease((tt - k * hold) / ramp)
    w = w.reshape(w.shape + (1,) * (cur.ndim - 1))
    return prev + (cur - prev) * w


def _smooth_noise(tt, rng, n=3, fmin=0.6, fmax=1.5):
    """Band-limited random signal of unit-ish amplitude (sum of n sinusoids,
    fmin..fmax Hz): for shoves and sways that never repeat exactly."""
    f = rng.uniform(fmin, fmax, n)
    ph = rng.uniform(0, TAU, n)
    return np.sin(TAU * f * tt[:, None] + ph).sum(axis=1) / np.sqrt(n / 2)


def _par(delta):
    """(T,) delta -> (T, 2) local deltas that move both limbs the same way on
    screen (a pendulum pair, a side step). For a sine this is also "side 1 half
    a cycle behind side 0" in local angles, i.e. alternating limbs."""
    return np.stack([delta, -delta], axis=1)


def _sym(delta):
    """(T,) delta -> (T, 2) local deltas that move the limbs as mirror images."""
    return np.stack([delta, delta], axis=1)


def _alternate(bump, tt, period):
    """(T,) 0..1 bump repeating each ``period`` -> (T, 2): side 0 on even beats,
    side 1 on odd beats (alternate kicks, knee lifts)."""
    odd = (np.floor(tt / period).astype(int) % 2).astype(bool)
    out = np.zeros((len(tt), 2))
    out[~odd, 0] = bump[~odd]
    out[odd, 1] = bump[odd]
    return out


# ---------------------------------------------------------------------------
# The programs. Each takes (tt, mid, rng, amp, p) and edits the pose ``p`` in
# place, which arrives with still limbs in idle poses; ``mid`` is tt at the
# clip's middle frame, so trajectories are centred on the clip (the figure's
# mean position stays class-independent); ``amp`` scales amplitudes (0.85-1.15).
# Periods are in seconds at tempo 1 (each clip's tempo varies +-10%).

def _belly(tt, mid, rng, amp, p):
    # Hip shimmy: the hips shake sideways, 0.4 s period, while the shoulders
    # and feet stay put; forearms snake slowly in counter-phase.
    dx = 0.07 * amp * _wave(tt, 0.4)
    p.root[:, 0] += dx
    p.lean += np.arcsin(dx / TORSO)          # shoulders stay above the rest point
    p.leg_up += _par(-np.arcsin(dx / (THIGH + SHIN)))   # feet stay on the floor
    p.arm_lo += _par(0.6 * amp * _wave(tt, 1.6))


def _breakdance(tt, mid, rng, amp, p):
    # Power move: the whole body spins about the hip, one turn per 1.2 s,
    # legs scissoring.
    p.rot += TAU * tt / 1.2
    p.leg_up += _sym(0.45 * amp * _raised(tt, 0.6))


def _country(tt, mid, rng, amp, p):
    # Grapevine: travels side to side at constant speed (2.4 s there and back),
    # legs stepping across each other every 0.3 s; small bob per step.
    p.root[:, 0] += 0.22 * amp * _triangle(tt, 2.4)
    p.root[:, 1] -= 0.025 * _hops(tt, 0.3)
    p.leg_up += _par(0.35 * amp * _wave(tt, 0.6))


def _cumbia(tt, mid, rng, amp, p):
    # Forearms circle continuously (one turn per 0.8 s, mirror-symmetric)
    # while the torso sways slowly.
    p.arm_lo += _sym(TAU * tt / 0.8)
    p.lean += 0.12 * amp * _wave(tt, 1.6)


def _ballet(tt, mid, rng, amp, p):
    # Slow port de bras: both arms sweep from low to overhead and back
    # (2.6 s) while one leg rises to the side; torso leans away from it.
    s = _raised(tt, 2.6)
    p.arm_up[:] = 0.3 + 2.3 * amp * s[:, None]
    p.arm_lo[:] = 0.3
    p.leg_up[:, 0] = 0.1 + 1.3 * amp * s
    p.leg_lo[:, 0] = 0.0
    p.lean += -0.2 * s


def _charleston(tt, mid, rng, amp, p):
    # Swivel kicks: legs kick out in turn with a lower-leg flick (0.7 s cycle),
    # arms swing as a pendulum pair against them, body bobs twice per cycle.
    w = _wave(tt, 0.7)
    kick = np.stack([np.maximum(w, 0), np.maximum(-w, 0)], axis=1)
    p.leg_up += 0.7 * amp * kick
    p.leg_lo += 0.8 * amp * kick
    p.arm_up += _par(-0.9 * amp * w)
    p.root[:, 1] += 0.03 * np.cos(2 * TAU * tt / 0.7)


def _gangnam(tt, mid, rng, amp, p):
    # Horse ride: small quick hops (0.45 s) with a knee lift on alternate hops.
    hop = _hops(tt, 0.45)
    p.root[:, 1] -= 0.06 * amp * hop
    lift = 1.0 * amp * _alternate(hop, tt, 0.45)
    p.leg_up += lift
    p.leg_lo -= lift          # shin stays vertical under the lifted knee


# Macarena arm positions (upper, lower local rad), visited in order.
_MACARENA = np.array([
    (1.50, 0.00),    # straight out in front
    (1.30, 0.35),    # "palm flip"
    (-0.20, -2.40),  # hand to opposite shoulder
    (2.40, 2.30),    # hand behind head
    (0.75, -1.90),   # hand on hip
])


def _macarena(tt, mid, rng, amp, p):
    # Sequential: one arm at a time moves to the next held position
    # (a move every 0.4 s, 0.15 s eased transition), arms alternating; hips
    # sway slowly.
    beat = 0.4
    n_beats = int(tt.max() / beat) + 3
    # Beat k moves arm k % 2; targets[j] is the pose after beat j - 1, and an
    # arm has made (k + 2 - side) // 2 moves by the end of beat k.
    targets = np.zeros((n_beats, 2, 2))            # (j, side, upper/lower)
    for j in range(n_beats):
        for side in (0, 1):
            done = (j + 1 - side) // 2
            targets[j, side] = _MACARENA[(done - 1) % len(_MACARENA)]
    arm = _held(tt, beat, targets, ramp=0.15)
    p.arm_up[:] = arm[:, :, 0]
    p.arm_lo[:] = arm[:, :, 1]
    p.root[:, 0] += 0.04 * amp * _wave(tt, 1.6)


def _jumpstyle(tt, mid, rng, amp, p):
    # Big jumps (0.9 s each) with a high straight-leg kick, legs alternating.
    hop = _hops(tt, 0.9)
    p.root[:, 1] -= 0.22 * amp * hop
    kick = 1.2 * amp * _alternate(hop, tt, 0.9)
    p.leg_up += kick
    p.leg_lo[:] = np.where(kick > 0, 0.0, p.leg_lo)


def _krumping(tt, mid, rng, amp, p):
    # Aggressive and irregular: arms jab to random positions every 0.1-0.2 s
    # with instant jumps, chest pops (torso) and head snaps; no period.
    holds = rng.uniform(0.10, 0.20, int(tt.max() / 0.10) + 4)
    edges = np.concatenate([[0.0], np.cumsum(holds)])
    k = np.searchsorted(edges, tt, side='right')   # beat index (>= 1)
    n = len(edges) + 1
    up = rng.uniform(-0.4, 2.9, (n, 2))
    lo = rng.uniform(-2.2, 2.2, (n, 2))
    p.arm_up[:] = up[k]
    p.arm_lo[:] = lo[k]
    p.lean += amp * rng.uniform(-0.3, 0.3, n)[k]
    p.head += rng.uniform(-0.4, 0.4, n)[k]


def _moonwalk(tt, mid, rng, amp, p):
    # Glides at constant speed (0.22 figure heights/s, so 0.66 over a 3 s
    # clip) while the legs take turns bending the knee (0.9 s cycle): a slide,
    # not a step.
    p.root[:, 0] += 0.22 * amp * (tt - mid)
    bend = np.stack([_raised(tt, 0.9), _raised(tt, 0.9, np.pi)], axis=1)
    p.leg_up += 0.25 * amp * bend
    p.leg_lo -= 0.9 * amp * bend


def _mosh(tt, mid, rng, amp, p):
    # Head-banging (0.45 s) with fists pumping overhead in time, while the
    # body is shoved around irregularly.
    w = _wave(tt, 0.45)
    p.lean += 0.35 * amp * w
    p.head += 0.3 * w
    p.arm_up[:] = 2.5 + 0.4 * amp * w[:, None]
    p.arm_lo *= 0.3
    p.root[:, 0] += 0.08 * amp * _smooth_noise(tt, rng)
    p.root[:, 1] += 0.04 * amp * _smooth_noise(tt, rng)


def _robot(tt, mid, rng, amp, p):
    # Held robotic poses: every 0.4 s all arm joints and the head jump (in
    # 0.03 s, i.e. one frame) to new angles on a 45/90-degree grid.
    beat = 0.4
    n = int(tt.max() / beat) + 3
    up = rng.choice(np.arange(5) * np.pi / 4, (n, 2))       # down .. up, 45 deg
    lo = rng.choice(np.array([-np.pi / 2, 0.0, np.pi / 2]), (n, 2))
    head = rng.choice(np.array([-0.3, 0.0, 0.3]), n)
    p.arm_up[:] = _held(tt, beat, up, ramp=0.03)
    p.arm_lo[:] = _held(tt, beat, lo, ramp=0.03)
    p.head += _held(tt, beat, head, ramp=0.03)


def _salsa(tt, mid, rng, amp, p):
    # Basic step with turns: weight shifts side to side (0.8 s) with the hips,
    # one hand up as if leading, and every 1.6 s a quick pirouette (one full
    # turn about the vertical axis in 0.5 s: the figure narrows and flips).
    w = _wave(tt, 0.8)
    p.leg_up += _par(0.3 * amp * w)
    p.root[:, 0] += 0.06 * amp * w
    p.arm_up[:, 0] = 2.7
    p.arm_lo[:, 0] = 0.3
    p.yaw += TAU * (np.floor(tt / 1.6) + _ease((tt % 1.6) / 0.5))


def _square(tt, mid, rng, amp, p):
    # Do-si-do: the body travels round a circle (2.2 s per lap) while walking
    # (knee lifts every 0.275 s, alternating).
    a = TAU * tt / 2.2
    p.root[:, 0] += 0.20 * amp * np.cos(a)
    p.root[:, 1] += 0.14 * amp * np.sin(a)
    lift = 0.5 * amp * _alternate(_hops(tt, 0.275), tt, 0.275)
    p.leg_up += lift
    p.leg_lo -= lift


def _swing(tt, mid, rng, amp, p):
    # Windmill arms: both whole arms turn full circles (1.1 s per turn), half
    # a turn apart like a propeller, with small alternating kicks.
    a = TAU * tt / 1.1
    p.arm_up[:, 0] = a
    p.arm_up[:, 1] = -(a + np.pi)
    p.arm_lo[:] = 0.1
    p.leg_up += _par(0.25 * amp * _wave(tt, 0.55))


def _tango(tt, mid, rng, amp, p):
    # Stop-and-go stalk: a quick step (0.3 s) every 1.1 s, frozen in between,
    # with a fast lower-leg flick (gancho) and a head snap during each freeze.
    period = 1.1
    k = np.floor(tt / period)
    frac = tt - k * period
    x = 0.12 * amp * (k + _ease(frac / 0.3))
    xm = 0.12 * amp * (np.floor(mid / period) + _ease((mid % period) / 0.3))
    p.root[:, 0] += x - xm
    flick = np.exp(-0.5 * ((frac - 0.7) / 0.07) ** 2)   # 0.07 s wide pulse
    flick2 = _alternate(flick, tt, period)
    p.leg_up += 0.3 * amp * flick2
    p.leg_lo += 1.6 * amp * flick2
    side = np.where(k % 2 == 0, 1.0, -1.0)
    p.head += 0.35 * side * (2 * _ease(frac / 0.08) - 1)


def _tap(tt, mid, rng, amp, p):
    # Fast small shaking of the lower legs (0.25 s cycle, alternating), the
    # rest still.
    w = _wave(tt, 0.25)
    p.leg_lo += _par(0.5 * amp * w)
    p.leg_up += _par(0.12 * amp * w)


def _zumba(tt, mid, rng, amp, p):
    # Jumping jacks: arms sweep from low to overhead while the legs spread
    # (0.75 s cycle, mirror-symmetric), a hop at each change.
    s = _raised(tt, 0.75)
    p.arm_up[:] = 0.2 + 2.6 * amp * s[:, None]
    p.arm_lo[:] = 0.1
    p.leg_up[:] = 0.05 + 0.45 * amp * s[:, None]
    p.leg_lo[:] = 0.0
    p.root[:, 1] -= 0.05 * amp * _hops(tt, 0.375)


Program = Callable[[np.ndarray, float, np.random.Generator, float, Pose], None]

# (program, one-line description) per label, in DANCE19_CLASSES order.
CHOREOGRAPHIES: List[Tuple[Program, str]] = [
    (_belly, 'hip shimmy: hips shake sideways (0.4 s), shoulders+feet still; forearms snake slowly'),
    (_breakdance, 'whole-body spin about the hip (1 turn/1.2 s), legs scissoring'),
    (_country, 'grapevine: side-to-side travel (2.4 s), legs stepping across (0.6 s)'),
    (_cumbia, 'forearms circle continuously (1 turn/0.8 s, mirror-symmetric), slow torso sway'),
    (_ballet, 'slow port de bras: both arms low->overhead + one leg rises to the side (2.6 s)'),
    (_charleston, 'alternating kicks with lower-leg flick (0.7 s), arms swing as a pendulum pair'),
    (_gangnam, 'small quick hops (0.45 s) with a knee lift on alternate hops'),
    (_macarena, 'sequential arm positions, one arm at a time, a move every 0.4 s; hip sway'),
    (_jumpstyle, 'big jumps (0.9 s) with a high straight-leg kick, legs alternating'),
    (_krumping, 'irregular jerky arm jabs every 0.1-0.2 s, chest pops, head snaps'),
    (_moonwalk, 'constant-speed horizontal glide, knees bending in turn (0.9 s)'),
    (_mosh, 'head-banging (0.45 s) with fists pumping overhead; body shoved irregularly'),
    (_robot, 'held poses: arms + head jump to 45/90-degree angles every 0.4 s'),
    (_salsa, 'side-to-side weight shift (0.8 s), one hand up; a quick pirouette every 1.6 s'),
    (_square, 'travels round a circle (2.2 s per lap) while walking'),
    (_swing, 'windmill: both arms turn full circles half a turn apart (1.1 s), small kicks'),
    (_tango, 'stop-and-go: a quick step every 1.1 s, freeze with a leg flick and a head snap'),
    (_tap, 'fast small shaking of the lower legs (0.25 s cycle), the rest still'),
    (_zumba, 'jumping jacks: arms low->overhead while legs spread (0.75 s), hops'),
]
assert len(CHOREOGRAPHIES) == NUM_CLASSES


def check_label(label) -> int:
    """Return ``label`` as an int in 0..NUM_CLASSES-1, else raise ValueError."""
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)) \
            or not 0 <= int(label) < NUM_CLASSES:
        raise ValueError(
            f'label must be an integer class index 0..{NUM_CLASSES - 1} '
            f'(0 = {DANCE19_CLASSES[0]!r}, {NUM_CLASSES - 1} = '
            f'{DANCE19_CLASSES[-1]!r}); got {label!r}')
    return int(label)


def describe(label: int) -> str:
    """One-line description of class ``label``'s choreography."""
    return CHOREOGRAPHIES[check_label(label)][1]


def sample_motion(label: int, t: np.ndarray, rng: np.random.Generator) -> Pose:
    """The figure's pose at times ``t`` (seconds) for one clip of class ``label``.

    Class-independent randomness, drawn from ``rng``: tempo (+-10%), amplitude
    (+-15%), starting phase (a 0-10 s time offset, longer than every period),
    idle poses of the still limbs, offsets of every joint angle (sd 0.12 rad),
    a base tilt of the whole body (and in 1 clip of 4 any tilt at all, so a
    rotated figure alone does not mean 'breakdancing'), and a mirror image with
    probability 0.5.
    """
    label = check_label(label)
    t = np.asarray(t, dtype=np.float64)
    n = len(t)
    tempo = rng.uniform(0.9, 1.1)
    amp = rng.uniform(0.85, 1.15)
    t0 = rng.uniform(0.0, 10.0)
    tt = t * tempo + t0
    mid = (t[0] + t[-1]) / 2 * tempo + t0

    # Idle poses: symmetric 70% of the time, else each side its own.
    arm_idx = rng.integers(len(ARM_IDLE), size=2)
    leg_idx = rng.integers(len(LEG_IDLE), size=2)
    if rng.random() < 0.7:
        arm_idx[1] = arm_idx[0]
    if rng.random() < 0.7:
        leg_idx[1] = leg_idx[0]
    arms = np.array([ARM_IDLE[i] for i in arm_idx])   # (side, up/lo)
    legs = np.array([LEG_IDLE[i] for i in leg_idx])
    ones = np.ones((n, 1))
    p = Pose(root=np.zeros((n, 2)), rot=np.zeros(n), yaw=np.zeros(n), lean=np.zeros(n),
             head=np.zeros(n),
             arm_up=ones * arms[:, 0], arm_lo=ones * arms[:, 1],
             leg_up=ones * legs[:, 0], leg_lo=ones * legs[:, 1])

    # Drawn before the program so the program's own draws do not shift them.
    offsets = np.clip(rng.normal(0.0, 0.12, (4, 2)), -0.3, 0.3)
    lean0 = rng.uniform(-0.08, 0.08)
    head0 = rng.uniform(-0.15, 0.15)
    rot0 = rng.uniform(-np.pi, np.pi) if rng.random() < 0.25 else rng.uniform(-0.15, 0.15)
    mirror = rng.random() < 0.5

    program = CHOREOGRAPHIES[label][0]
    program(tt, mid, rng, amp, p)

    p.arm_up = p.arm_up + offsets[0]
    p.arm_lo = p.arm_lo + offsets[1]
    p.leg_up = p.leg_up + offsets[2]
    p.leg_lo = p.leg_lo + offsets[3]
    p.lean = p.lean + lean0
    p.head = p.head + head0
    p.rot = p.rot + rot0
    return p.mirrored() if mirror else p


def pose_to_points(p: Pose) -> Dict[str, np.ndarray]:
    """Joint positions (T, 2) in figure units, hip at the origin plus ``root``.

    Returns a dict with 'hip', 'shoulder', 'head', and per side s in (0, 1)
    'shoulder{s}', 'elbow{s}', 'wrist{s}', 'hip{s}', 'knee{s}', 'ankle{s}'.
    """
    def d(a):
        return np.stack([np.sin(a), np.cos(a)], axis=-1)

    n = len(p.lean)
    hip = np.zeros((n, 2))
    shoulder = hip + TORSO * d(np.pi + p.lean)
    across = d(np.pi / 2 + p.lean)               # towards side 0 when upright
    pts = {'hip': hip, 'shoulder': shoulder,
           'head': shoulder + (NECK + HEAD_R) * d(np.pi + p.lean + p.head)}
    for s, sign in ((0, 1.0), (1, -1.0)):
        sh = shoulder + sign * SHOULDER_HALF * across
        a1 = sign * p.arm_up[:, s] + p.lean      # arms move with the torso
        a2 = a1 + sign * p.arm_lo[:, s]
        pts[f'shoulder{s}'] = sh
        pts[f'elbow{s}'] = sh + UPPER_ARM * d(a1)
        pts[f'wrist{s}'] = pts[f'elbow{s}'] + FOREARM * d(a2)
        hp = hip + sign * HIP_HALF * across
        l1 = sign * p.leg_up[:, s]               # legs hang from the world's down
        l2 = l1 + sign * p.leg_lo[:, s]
        pts[f'hip{s}'] = hp
        pts[f'knee{s}'] = hp + THIGH * d(l1)
        pts[f'ankle{s}'] = pts[f'knee{s}'] + SHIN * d(l2)
    # Pirouette (width scales by cos yaw), whole-body turn about the hip (same
    # angle convention), then travel.
    c, s_ = np.cos(p.rot)[:, None], np.sin(p.rot)[:, None]
    squeeze = np.cos(p.yaw)[:, None]
    for key, v in pts.items():
        x, y = v[:, :1] * squeeze, v[:, 1:]
        pts[key] = np.concatenate([x * c + y * s_, -x * s_ + y * c], axis=1) + p.root
    return pts


# ---------------------------------------------------------------------------
# Appearance

def _luma(rgb):
    """BT.601 luma of (..., 3) RGB in 0..255."""
    return rgb @ np.array([0.299, 0.587, 0.114])


def _colour(rng, bright: bool):
    """A random colour with luma >= 165 (bright) or <= 75 (dark): the figure and
    the background get opposite ones, so the contrast is >= 90 grey levels."""
    cand = rng.uniform(0, 255, (64, 3))
    y = _luma(cand)
    ok = np.flatnonzero(y >= 165 if bright else y <= 75)
    if len(ok):
        return cand[ok[0]]
    return np.full(3, 210.0 if bright else 35.0)   # ~1e-4 chance; still valid


def _background(rng, h, w, base):
    """(h, w, 3) float background around colour ``base``: flat, gradient, smooth
    texture or faint stripes; modulation <= 25 grey levels keeps the contrast."""
    kind = rng.integers(4)
    bg = np.broadcast_to(base, (h, w, 3)).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == 1:     # linear gradient in a random direction
        a = rng.uniform(0, TAU)
        ramp = (np.cos(a) * xx / w + np.sin(a) * yy / h)
        ramp = ramp - ramp.mean()
        bg = bg + (rng.uniform(-25, 25, 3) * 2 * ramp[..., None]).astype(np.float32)
    elif kind == 2:   # smooth blotches: a coarse random grid, bicubic upsampled
        gh, gw = rng.integers(3, 8, size=2)
        grid = rng.uniform(-20, 20, (gh, gw, 3)).astype(np.float32)
        bg = bg + cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
    elif kind == 3:   # faint stripes, random angle and period
        a = rng.uniform(0, np.pi)
        period = rng.uniform(0.1, 0.4) * min(h, w)
        phase = np.cos(a) * xx + np.sin(a) * yy
        stripes = np.sin(TAU * phase / period)
        bg = bg + (rng.uniform(8, 18) * stripes)[..., None]
    return bg


def sample_appearance(rng: np.random.Generator, size: Tuple[int, int],
                      num_frames: int) -> Appearance:
    """Draw a clip's look: colours, background, figure size/position/thickness,
    camera shake and pixel noise. Never depends on the class."""
    h, w = size
    short = min(h, w)
    bright_figure = rng.random() < 0.5
    fig = _colour(rng, bright_figure)
    head = fig if rng.random() < 0.5 else _colour(rng, bright_figure)
    base = _colour(rng, not bright_figure)

    # Camera shake: up to 1 px per 48 px of the short side, per frame.
    pad = max(1, int(round(short / 48)))
    shake_amp = int(rng.integers(0, pad + 1))
    shake = rng.integers(-shake_amp, shake_amp + 1, size=(num_frames, 2))
    bg = _background(rng, h + 2 * pad, w + 2 * pad, base)

    # Standing figure 60-90% of the short side; hip near the centre, +-10% of
    # the width and +-6% of the height off it.
    height_frac = rng.uniform(0.6, 0.9)
    scale = height_frac * short / FIGURE_HEIGHT
    center = (w / 2 + rng.uniform(-0.10, 0.10) * w,
              h / 2 + rng.uniform(-0.06, 0.06) * h)
    # Limb width 5.5-8% of the figure height: 3-4 px at 64x64, never below 2.
    thickness = max(2, int(round(rng.uniform(0.055, 0.08) * scale)))
    noise_sigma = rng.uniform(1.0, 8.0)       # grey levels
    return Appearance(
        background=np.clip(np.rint(bg), 0, 255).astype(np.uint8), pad=pad,
        shake=shake, figure_rgb=tuple(int(v) for v in np.rint(fig)),
        head_rgb=tuple(int(v) for v in np.rint(head)), center=center,
        scale=float(scale), thickness=thickness, noise_sigma=float(noise_sigma))
