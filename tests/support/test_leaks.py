from support.leaks import find_leaks


def test_a_planted_secret_is_found_and_masked(tmp_path):
    (tmp_path / "a-attachment.txt").write_text("Authorization: Bearer s3cr3t-token-value")
    (tmp_path / "b-result.json").write_text('{"name": "clean"}')
    assert find_leaks(tmp_path, ["s3cr3t-token-value"]) == {"a-attachment.txt": ["s3...ue"]}


def test_json_escaped_secrets_are_found(tmp_path):
    (tmp_path / "r.json").write_text('{"x": "pa\\"ss-word-1"}')
    assert find_leaks(tmp_path, ['pa"ss-word-1'])


def test_clean_results_and_missing_directory(tmp_path):
    (tmp_path / "r.json").write_text("nothing here")
    assert find_leaks(tmp_path, ["s3cr3t-token-value"]) == {}
    assert find_leaks(tmp_path / "missing", ["s3cr3t-token-value"]) == {}
