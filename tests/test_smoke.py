from tests.driver import FakeUser


async def test_start(alice: FakeUser) -> None:
    await alice.send("/start")
    await alice.expect(r"Hi Alice")
    await alice.press("Compose a soft start-up")
    await alice.expect(r"Step 1 of 4.*How are you feeling")
    await alice.press("anxious")
    await alice.expect(r"Step 2 of 4")
    await alice.send("because the call ran late last night.")
    await alice.expect(r"Step 3 of 4")
    await alice.press("going for a short walk")
    await alice.expect(r"Step 4 of 4")
    await alice.press("a hug, if you're able")
    await alice.expect(r"I feel anxious because the call ran late last night\. I'm going for a short walk\. I would appreciate a hug, if you're able\.")
