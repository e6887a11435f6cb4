"""A run that is alive is never touched (issue 23, part A): run locks, whole process trees, and
SIGTERM/SIGHUP ended as Ctrl-C is.

Each test replays one of the issue's reproductions on fake data: clean-logs beside a run that
is training, --resume of a live run, two graders into one --out, ``kill -9`` of ``tfbasics run``,
SIGTERM/SIGHUP near a checkpoint save, and the files a SIGKILL leaves.
"""

import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tfbasics.cli import clean_logs
from tfbasics.grading import exercise_list
from tfbasics.runs import atomic, checkpoints, folders, run_lock, run_records, script_errors

REPO = Path(__file__).resolve().parent.parent
RUN = "ch01_07_single_layer_mnist"
PYTHON_ENV = dict(
    os.environ,
    PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
)
HOLD = (
    "import sys, time\nfrom tfbasics.runs import run_lock\n"
    "run_lock.hold(sys.argv[1]); print('held', flush=True); time.sleep(120)\n"
)


def one_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def start(args, **kwargs):
    return subprocess.Popen(
        args,
        cwd=REPO,
        env=PYTHON_ENV,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def tfbasics(*args):
    return subprocess.run(
        [sys.executable, "-m", "tfbasics", *args],
        cwd=REPO,
        env=PYTHON_ENV,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def training(logdir, name="R", *flags):
    """ch01_07 on fake data for far longer than a test: ``--epochs 100000``, as in the issue."""
    return start(
        [sys.executable, f"chapters/{RUN}.py", "--fake-data", "--epochs", "100000"]
        + ["--logdir", str(logdir), "--run-name", name, "--no-progress", *flags]
    )


def wait_for_checkpoint(process, run, epoch=1):
    deadline = time.monotonic() + 300
    while checkpoints.last_checkpoint(run) < epoch:  # the index is written last
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no checkpoint after 300 s"
        time.sleep(0.02)


def holder_process(folder):
    """Another process that holds ``folder``'s lock (a live run, as far as anyone can tell)."""
    process = start([sys.executable, "-c", HOLD, str(folder)])
    assert process.stdout.readline() == "held\n"
    return process


def stop(process):
    process.kill()
    process.communicate()


# ---------------------------------------------------------------------------------------------
# 1. clean-logs beside a run that is training


@pytest.mark.slow
def test_clean_logs_skips_a_training_run_which_goes_on_and_is_removed_once_ended(tmp_path):
    logs = tmp_path / "L"
    child = training(logs)
    run = logs / RUN / "R"
    try:
        wait_for_checkpoint(child, run)
        for _ in range(3):  # the tries: the run died, or went on in a re-made folder
            done = tfbasics("clean-logs", "--logdir", str(logs), "--yes")
            assert done.returncode == 0 and done.stderr == "", done
            assert done.stdout.splitlines()[0] == (
                f"Skipped {RUN}/R/: in use by process {child.pid} (a run still writing to it); "
                "clean it once that process has ended"
            )
            assert "Removed" not in done.stdout
            assert child.poll() is None and folders.read_marker(run) is not None
        epoch = checkpoints.last_checkpoint(run)
        wait_for_checkpoint(child, run, epoch + 1)  # it goes on, in its own marked folder
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=120)
    finally:
        stop(child)
    assert child.returncode == 130
    done = tfbasics("clean-logs", "--logdir", str(logs), "--yes")
    assert done.returncode == 0 and "Removed 1 run " in done.stdout, done
    assert not run.exists() and not (logs / RUN).exists()


def test_clean_logs_checks_again_under_its_own_lock(tmp_path):
    run = folders.run_dir(tmp_path / "logs", "ch01_03_basic_math", "r")
    run_lock.release(run)
    remove, _, _, busy = clean_logs.plan_clean(tmp_path / "logs")
    assert remove == [run] and busy == []
    other = holder_process(run)  # a --resume took the run after it was listed
    try:
        assert clean_logs._remove(run) == f"in use by process {other.pid} (a run writing to it)"
        assert folders.read_marker(run) is not None
    finally:
        stop(other)
    (run / "notes.txt").write_text("mine")  # a file the scripts do not write, since the listing
    assert clean_logs._remove(run) == "it changed since it was listed"
    (run / "notes.txt").unlink()
    assert clean_logs._remove(run) is None and not run.exists()


def test_a_writer_never_re_creates_its_run_folder_behind_a_deletion(tmp_path):
    run = folders.run_dir(tmp_path / "logs", "ch01_03_basic_math", "r")
    shutil.rmtree(run)  # removed behind the run's back (by hand: clean-logs would not)
    with pytest.raises(FileNotFoundError, match="the run folder was removed"):
        atomic.atomic_write_text(run / "train" / "history.json", "[]")
    assert not run.exists()
    run_lock.release(run)
    loose = tmp_path / "elsewhere" / "deep" / "file.json"  # not a run folder: made as before
    atomic.atomic_write_text(loose, "{}")
    assert loose.read_text() == "{}"


def _churn(logdir, rounds, seed, queue, finish):
    """A process that claims run folders and writes them full, ``rounds`` times; it lets go of
    about half of them at once (finished runs) and holds the rest until ``finish`` is set."""
    from tfbasics.runs import atomic, folders, run_lock

    rng = random.Random(seed)
    for i in range(rounds):
        run = folders.run_dir(logdir, "ch01_03_basic_math", f"r{i}")
        files = rng.randrange(1, 20)
        for n in range(files):
            atomic.atomic_write_text(run / f"f{n}.json", "[]")
        done = rng.random() < 0.5
        if done:
            run_lock.release(run)  # finished: clean-logs may take it
        queue.put(("done" if done else "held", str(run), files))
    finish.wait(timeout=300)


def test_clean_logs_racing_live_writers_never_loses_a_live_run(tmp_path, capsys):
    # 60 runs claimed and written while clean-logs runs again and again: no pass raises (the
    # issue's ENOENT/ENOTEMPTY), a live run is whole, a finished one is whole or gone
    ctx = multiprocessing.get_context("spawn")
    queue, finish = ctx.Queue(), ctx.Event()
    logdir = tmp_path / "logs"
    worker = ctx.Process(target=_churn, args=(str(logdir), 60, 1, queue, finish))
    worker.start()
    reports, passes = [], 0
    try:
        while len(reports) < 60:
            assert worker.is_alive() or not queue.empty(), worker.exitcode
            if logdir.is_dir():
                assert clean_logs.clean_logs(logdir, yes=True) == 0
                passes += 1
            while not queue.empty():
                reports.append(queue.get())
        assert clean_logs.clean_logs(logdir, yes=True) == 0  # the worker still holds its runs
    finally:
        finish.set()
        worker.join(timeout=60)
    assert worker.exitcode == 0 and passes > 10
    capsys.readouterr()
    for state, run, files in reports:
        if state == "held" or Path(run).exists():
            assert folders.read_marker(run) is not None, run
            assert len(list(Path(run).glob("f*.json"))) == files, run
    held = [run for state, run, _ in reports if state == "held"]
    assert held and all(Path(run).is_dir() for run in held)


# ---------------------------------------------------------------------------------------------
# 2. --resume of a live run; checkpoints.json only under the lock


@pytest.mark.slow
def test_resume_of_a_run_still_training_is_refused_naming_the_process(tmp_path):
    logs = tmp_path / "L"
    child = training(logs)
    run = logs / RUN / "R"
    try:
        wait_for_checkpoint(child, run)
        resume = start(
            [sys.executable, f"chapters/{RUN}.py", "--fake-data", "--epochs", "100000"]
            + ["--logdir", str(logs), "--run-name", "R", "--no-progress"]
            + ["--resume", "--input", "in_graph"]
        )
        out, err = resume.communicate(timeout=300)
        assert resume.returncode == 2, out + err
        assert one_line(err) == (
            f"{RUN}.py: error: --resume: run {run} is in use by process {child.pid} (still training, or "
            "being removed by clean-logs); resume it once that process has ended"
        )
        epoch = checkpoints.last_checkpoint(run)
        wait_for_checkpoint(child, run, epoch + 2)
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=120)
    finally:
        stop(child)
    record = json.loads((run / checkpoints.RECORD_FILE).read_text())
    epochs = [c["epoch"] for c in record["checkpoints"]]
    assert epochs == list(range(1, checkpoints.last_checkpoint(run) + 1))  # none lost


def test_shared_run_files_are_rewritten_only_under_the_lock(tmp_path):
    run = folders.run_dir(tmp_path, RUN, "r")
    (run / run_records.HPARAMS_FILE).write_text('{"seed": 1}')
    run_lock.release(run)
    other = holder_process(run)
    try:
        assert run_records.mark_stopped(run, "NaN") is False
        assert (run / run_records.HPARAMS_FILE).read_text() == '{"seed": 1}'
        from tfbasics._tf import tf

        g = tf.Graph()
        with g.as_default():
            step = tf.compat.v1.train.get_or_create_global_step()
            ckpt = checkpoints.Checkpoints(run, [step])
            with tf.compat.v1.Session(graph=g) as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                with pytest.raises(run_lock.RunLocked, match=f"in use by process {other.pid}"):
                    ckpt.end_epoch(sess, run_records.EpochResult(1, 0, 0.5), True)
        assert not (run / checkpoints.RECORD_FILE).exists()
    finally:
        stop(other)
    assert run_records.mark_stopped(run, "NaN") is True  # the lock is free: it is taken
    run_lock.release(run)


# ---------------------------------------------------------------------------------------------
# 3. two graders into one --out


def _class(folder, student):
    (folder / student).mkdir(parents=True)
    shutil.copy(exercise_list.stub_path("hello"), folder / student / "hello.py")
    return folder


@pytest.mark.slow
def test_a_second_grader_into_the_same_out_is_refused_in_one_line(tmp_path):
    first = start(
        [sys.executable, "-m", "tfbasics", "grade", str(_class(tmp_path / "a", "alice"))]
        + ["--out", str(tmp_path / "out"), "--timeout", "20"]
    )
    lock = tmp_path / "out" / run_lock.LOCK_FILE
    deadline = time.monotonic() + 120
    while not (lock.is_file() and lock.read_text().strip() == str(first.pid)):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    second = tfbasics("grade", str(_class(tmp_path / "b", "bob")), "--out", str(tmp_path / "out"))
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out + err
    assert second.returncode == 2 and second.stdout == ""
    assert one_line(second.stderr) == (
        f"tfbasics grade: --out {tmp_path / 'out'} is in use by another grader (process "
        f"{first.pid}); wait for it to finish, or pass another --out"
    )
    rows = (tmp_path / "out" / "grades.csv").read_text().splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == ["alice"]  # one class, not a mix
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == ["alice.json"]


# ---------------------------------------------------------------------------------------------
# 4. kill -9 of `tfbasics run` takes the running section with it


def _children(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.slow
def test_kill_9_of_tfbasics_run_ends_the_running_section(tmp_path):
    logs = tmp_path / "L"
    parent = start(
        [sys.executable, "-m", "tfbasics", "run", "9", "--logdir", str(logs)]
        + ["--", "--fake-data", "--epochs", "100000", "--verbose", "0"]
    )
    section = None
    try:
        deadline = time.monotonic() + 300
        while not list(logs.glob("ch01_09_keras_mnist_mlp/*/train/events.out.tfevents.*")):
            assert parent.poll() is None, parent.communicate()
            assert time.monotonic() < deadline, "the section wrote nothing in 300 s"
            time.sleep(0.1)
        (section,) = _children(parent.pid)
        parent.kill()  # kill -9: no handler runs in the parent
        parent.communicate()
        deadline = time.monotonic() + 60
        while Path(f"/proc/{section}").exists() and not _zombie(section):
            assert time.monotonic() < deadline, "the section outlived its parent by 60 s"
            time.sleep(0.1)
    finally:
        stop(parent)
        if section is not None and not _zombie(section):
            os.kill(section, signal.SIGKILL)  # the orphan this test looks for: not left running
    (run,) = logs.glob("ch01_09_keras_mnist_mlp/*")
    assert run_lock.holder(run) is None  # nothing holds the run: clean-logs may remove it


def _zombie(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_section_whose_parent_is_already_gone_ends_at_once(tmp_path):
    # the parent died between the fork and die_with_parent: the section must not start work
    env = dict(PYTHON_ENV, TFBASICS_RUN_PARENT="1" if os.getppid() != 1 else "2")
    (tmp_path / "sleeper.py").write_text("import time\ntime.sleep(60)\n")
    env["PYTHONPATH"] = f"{tmp_path}{os.pathsep}{env['PYTHONPATH']}"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tfbasics.cli.launch", "sleeper"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM), done
    assert time.monotonic() - started < 30


# ---------------------------------------------------------------------------------------------
# 5. SIGTERM and SIGHUP end a script as Ctrl-C does


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.slow
def test_sigterm_and_sighup_say_what_is_kept_and_exit_128_plus_signal(sig, tmp_path):
    child = training(tmp_path, "k", "--batch-size", "1", "--seed", "9")
    run = tmp_path / RUN / "k"
    try:
        wait_for_checkpoint(child, run)
        epoch = checkpoints.last_checkpoint(run)
        wait_for_checkpoint(child, run, epoch + 1)  # right after a save: the next one is near
        time.sleep(random.uniform(0, 0.05))
        child.send_signal(sig)
        _, err = child.communicate(timeout=120)
    finally:
        stop(child)
    assert child.returncode == 128 + sig, err
    epoch = checkpoints.last_checkpoint(run)
    assert one_line(err) == (
        f"{RUN}.py: interrupted by {sig.name}; the last checkpoint (epoch {epoch}) is kept, "
        f"resume with: python chapters/{RUN}.py --fake-data --epochs 100000 --logdir {tmp_path} "
        "--no-progress --batch-size 1 --run-name k --resume"
    )
    assert list(run.rglob(".*.tmp*")) == [] and list(run.rglob("*.tempstate*")) == []
    assert run_lock.holder(run) is None


def test_sigterm_at_any_moment_of_an_atomic_write_leaves_no_temporary(tmp_path):
    # 300 SIGTERMs at random moments of a loop of atomic writes (checkpoints.json's way)
    leftovers, codes = [], set()
    rng = random.Random(0)
    for i in range(300):
        folder = tmp_path / f"t{i}"
        folder.mkdir()

        timer = threading.Timer(rng.uniform(0, 0.003), os.kill, (os.getpid(), signal.SIGTERM))

        def write_forever(folder=folder, timer=timer):
            timer.start()  # once script_main handles SIGTERM
            while True:
                atomic.atomic_write_text(folder / "checkpoints.json", "x" * 4096)

        codes.add(script_errors.script_main(write_forever, prog="t"))
        timer.join()
        leftovers += list(folder.glob(".*.tmp*"))
    assert codes == {128 + signal.SIGTERM} and leftovers == []


def test_a_sighup_ignored_by_nohup_stays_ignored():
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        seen = []
        script_errors.script_main(lambda: seen.append(signal.getsignal(signal.SIGHUP)))
        assert seen == [signal.SIG_IGN]
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_files_a_sigkill_left_in_a_save_are_ignored_by_resume_and_removed_by_clean_logs(
    tmp_path, capsys
):
    from tfbasics.chapters import ch01_07_single_layer_mnist as script

    flags = ["--fake-data", "--logdir", str(tmp_path), "--run-name", "r", "--no-progress"]
    assert script.main([*flags, "--epochs", "2", "--seed", "3"]) == 0
    run = tmp_path / RUN / "r"
    # what SIGKILL during the save of epoch 3 left (names as TensorFlow's Saver writes them)
    (run / "model.ckpt-3.index.tempstate11802809555409993199").write_bytes(b"half")
    (run / "model.ckpt-3.data-00000-of-00001.tempstate4417").write_bytes(b"half")
    (run / f".checkpoints.json.{2**22 + 7}.365de415.tmp.json").write_text("{")  # a dead writer
    assert script.main([*flags, "--epochs", "3", "--resume"]) == 0
    record = json.loads((run / checkpoints.RECORD_FILE).read_text())
    assert sorted(record["checkpoints"][-1]["sha256"]) == [
        "model.ckpt-3.data-00000-of-00001",
        "model.ckpt-3.index",
    ]
    capsys.readouterr()
    assert clean_logs.clean_logs(tmp_path, yes=True) == 0
    assert "Removed 1 run " in capsys.readouterr().out and not run.exists()


# ---------------------------------------------------------------------------------------------
# the stress: two runs, a resume and a clean-logs against one folder, in every order


def _train(logdir, resume, epochs, delay):
    """Two runs named ``R`` or a resume of it, with the real Checkpoints (a one-variable graph):
    (outcome, run folder, run id, epochs saved)."""
    time.sleep(delay)
    from tfbasics._tf import tf

    try:
        out, _ = run_records.open_run(logdir, RUN, "R", {"seed": 1}, resume=resume)
    except run_records.ResumeError as e:
        return ("refused", str(e), None, [])
    try:
        run_id = run_records.read_hparams(out)["run_id"]
        g = tf.Graph()
        with g.as_default():
            step = tf.compat.v1.train.get_or_create_global_step()
            ckpt = checkpoints.Checkpoints(out, [step])
            add = step.assign_add(1)
            with tf.compat.v1.Session(graph=g) as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                first = ckpt.restore(sess, resume)
                for epoch in range(first + 1, first + 1 + epochs):
                    sess.run(add)
                    ckpt.end_epoch(sess, run_records.EpochResult(epoch, epoch, 0.5), True)
        return ("trained", str(out), run_id, list(range(first + 1, first + 1 + epochs)))
    except run_records.CheckpointError as e:  # resumed before the first run saved a checkpoint
        return ("refused", str(e), None, [])
    finally:
        run_lock.release(out)


@pytest.mark.slow
def test_stress_two_runs_a_resume_and_clean_logs_in_every_order(tmp_path, capsys):
    ctx = multiprocessing.get_context("spawn")
    rng = random.Random(23)
    outcomes = {"trained": 0, "refused": 0, "skipped": 0, "removed": 0}
    with ctx.Pool(2) as pool:
        for i in range(50):
            logdir = tmp_path / f"round{i}"
            logdir.mkdir()
            jobs = [(False, 3), (False, 2), (True, 2)]
            rng.shuffle(jobs)
            pending = [
                pool.apply_async(_train, (str(logdir), resume, n, rng.uniform(0, 0.3)))
                for resume, n in jobs
            ]
            time.sleep(rng.uniform(0, 0.6))
            assert clean_logs.clean_logs(logdir, yes=True) == 0  # never raises, never a live run
            said = capsys.readouterr().out
            outcomes["skipped"] += said.count("Skipped ")
            outcomes["removed"] += said.count("Removed ")
            results = [job.get(timeout=300) for job in pending]
            saved = {}
            for outcome, _, run_id, epochs in results:
                outcomes[outcome] += 1
                saved.setdefault(run_id, []).extend(epochs)
            for run in logdir.glob(f"{RUN}/*"):  # every entry a process saved is in the record
                record = json.loads((run / checkpoints.RECORD_FILE).read_text())
                kept = [c["epoch"] for c in record["checkpoints"]]
                assert kept == sorted(saved[record["run_id"]]) == list(range(1, len(kept) + 1))
    print(outcomes)
    assert outcomes["trained"] >= 100 and min(outcomes.values()) >= 1, outcomes
