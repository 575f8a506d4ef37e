"""The web page of tools/serve.py, end to end: a real server process, real
HTTP, and Debian's chromium driven by Selenium (no browser download)."""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support import REPO, TINY_CONFIG, TINY_EPOCHS, slow_fixture
from dance_style.resources import split_lists_dir

MAX_MB = 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _request(url, data=None, content_type=None, method=None):
    """(status, JSON body) of one request."""
    request = urllib.request.Request(url, data=data, method=method)
    if content_type:
        request.add_header('Content-Type', content_type)
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, _json(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read())


def _json(body: bytes):
    try:
        return json.loads(body)
    except ValueError:  # Starlette's own 404 for a path no route matches
        return {'error': body.decode(errors='replace')}


@slow_fixture(scope='module')
def server(trained_run, tmp_path_factory):
    pytest.importorskip('starlette', reason='the "serve" extra: pip install '
                        '-e ".[serve]"')
    work = tmp_path_factory.mktemp('serve work')
    port = _free_port()
    checkpoint = trained_run['work_dir'] / f'epoch_{TINY_EPOCHS}.pth'
    proc = subprocess.Popen(
        [sys.executable, 'tools/serve.py', str(TINY_CONFIG), str(checkpoint),
         '--port', str(port), '--work-dir', str(work), '--max-mb',
         str(MAX_MB)], cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    url = f'http://127.0.0.1:{port}'
    deadline = time.time() + 300
    while True:
        try:
            status, info = _request(url + '/api/info')
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise AssertionError('the server did not start:\n' +
                                     proc.stdout.read()[-3000:])
            time.sleep(1)
    yield dict(url=url, work=work, info=info, data=trained_run['data'],
               checkpoint=checkpoint)
    proc.terminate()
    proc.wait(timeout=30)
    left = _files_under(work)
    assert not left, f'the server left files behind: {left}'


def _test_clip(data: Path) -> Path:
    from dance_style.prep.lists import read_video_list
    video, _ = read_video_list(split_lists_dir(data) / 'dance19_test.txt')[0]
    return data / video


def _files_under(folder: Path):
    return sorted(p.relative_to(folder) for p in folder.rglob('*')
                  if p.is_file())


def test_info_says_what_the_model_was_trained_on(server):
    model = server['info']['model']
    assert model['synthetic'] is True
    assert model['trained_on'].startswith('the embedded synthetic dance')
    assert 'answers on real video mean nothing' in model['warning']


def test_upload_limits_messages_and_cleanup(server):
    url, work = server['url'], server['work']
    assert len(server['info']['samples']) == 4
    clip = _test_clip(server['data'])
    before = _files_under(work)
    # a video: top-5 and a timeline
    status, result = _request(url + '/api/predict', clip.read_bytes(),
                              'video/mp4')
    assert status == 200, result
    assert len(result['top5']) == 5
    assert result['timeline_png'].startswith('data:image/png;base64,')
    assert result['timeline']['segments']
    # not a video type
    status, result = _request(url + '/api/predict', b'hello', 'text/plain')
    assert status == 415 and 'not a video' in result['error']
    # too big by its Content-Length (the limit is 1 MB here): refused before
    # a byte of the body is read (so the test sends none)
    connection = http.client.HTTPConnection(url.split('//')[1], timeout=60)
    connection.putrequest('POST', '/api/predict')
    connection.putheader('Content-Type', 'video/mp4')
    connection.putheader('Content-Length', str(3 * 2**20 // 2))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert f'up to {MAX_MB} MB' in json.loads(response.read())['error']
    connection.close()
    # video type, but not decodable: one line, no server path in it
    status, result = _request(url + '/api/predict', b'garbage' * 100,
                              'video/mp4')
    assert status == 422, result
    assert '\n' not in result['error'] and str(work) not in result['error']
    assert 'ffmpeg -i' in result['error'] or 'not a video' in \
        result['error']
    # empty
    status, result = _request(url + '/api/predict', b'', 'video/mp4')
    assert status == 400 and 'empty' in result['error']
    # a playlist is a text file FFmpeg would follow: refused
    playlist = (f'#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{clip}\n'
                '#EXT-X-ENDLIST\n').encode()
    status, result = _request(url + '/api/predict', playlist,
                              'application/octet-stream')
    assert status == 422 and 'playlist' in result['error'], result
    # too big, announced by no Content-Length: counted as it arrives
    connection = http.client.HTTPConnection(url.split('//')[1], timeout=60)
    connection.request('POST', '/api/predict',
                       body=iter([b'\0' * 2**18] * 6), encode_chunked=True,
                       headers={'Content-Type': 'video/mp4'})
    response = connection.getresponse()
    assert response.status == 413, response.status
    assert 'passed 1 MB' in json.loads(response.read())['error']
    connection.close()
    # samples by name only: a path is not a name (the router lets '..'
    # through to the check; '../../etc/passwd' would not match the route)
    for name in ('..', 'sample_1.mp4', 'nope'):
        status, result = _request(
            url + '/api/sample/' + urllib.request.quote(name, safe=''),
            b'', method='POST')
        assert status == 404, (name, status)
    # every upload is gone; the server wrote only its samples
    assert _files_under(work) == before
    assert all(p.parts[1] == 'samples' for p in before), before


def test_browser_uploads_a_clip_and_reads_the_top1(server, tmp_path):
    chromium = shutil.which('chromium') or shutil.which('chromium-browser')
    driver_path = shutil.which('chromedriver')
    if not (chromium and driver_path):
        message = ('no chromium/chromedriver on PATH: install Debian\'s '
                   '(apt-get install chromium chromium-driver) to run the '
                   'browser test')
        if os.environ.get('DANCE_STYLE_REQUIRE_BROWSER'):
            pytest.fail(message)  # CI installs them: a skip is a failure
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from dance_style.config import load_config
    from dance_style.predict import load_recognizer, predict_videos

    clip = _test_clip(server['data'])
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ('--headless=new', '--no-sandbox', '--disable-gpu',
                 '--disable-dev-shm-usage', '--window-size=1100,1400'):
        options.add_argument(flag)
    # the driver is Debian's: Selenium Manager must download nothing
    os.environ.setdefault('SE_OFFLINE', 'true')
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get(server['url'] + '/')
        WebDriverWait(driver, 60).until(lambda d: d.find_elements(
            By.CSS_SELECTOR, '#samples button'))
        # the suite's model was trained on synthetic clips: the page says
        # so, plainly, before anything is uploaded
        warning = driver.find_element(By.ID, 'warning')
        assert warning.is_displayed()
        assert 'answers on real video mean nothing' in warning.text
        assert 'trained on the embedded synthetic dance dataset' in \
            driver.find_element(By.ID, 'about').text
        driver.find_element(By.ID, 'file').send_keys(str(clip))
        driver.find_element(By.ID, 'predict').click()
        WebDriverWait(driver, 300).until(
            EC.visibility_of_element_located((By.ID, 'top1')))
        WebDriverWait(driver, 300).until(
            lambda d: d.find_element(By.ID, 'top1').text.strip())
        top1 = driver.find_element(By.ID, 'top1').text.strip()
        bars = driver.find_elements(By.CSS_SELECTOR, '#bars .bar-row')
        assert len(bars) == 5
        assert driver.find_element(By.ID, 'error').text == ''
        shot = os.environ.get('DANCE_STYLE_SCREENSHOT')
        if shot:  # a screenshot of the page after the 30 s sample
            driver.find_element(By.CSS_SELECTOR, '#samples button:last-child'
                                ).click()
            WebDriverWait(driver, 300).until(
                lambda d: 'three' not in d.find_element(By.ID, 'status').text
                and d.find_element(By.ID, 'status').text == '')
            time.sleep(1)
            driver.save_screenshot(shot)
    finally:
        driver.quit()
    model = load_recognizer(load_config(str(TINY_CONFIG)),
                            str(server['checkpoint']))
    expected = predict_videos(model, [str(clip)], top_k=1)[0]
    assert top1 == expected['predictions'][0]['name']
