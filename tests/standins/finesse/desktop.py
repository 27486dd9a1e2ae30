"""The Finesse desktop's state in the stand-in: the layout, the dialogs, and each user's
notification feed.

Dialogs are Finesse's Dialog objects as Cisco's Web Services guide shows them (voice:
id, mediaType "Voice", fromAddress, toAddress, mediaProperties with dialedNumber,
callType, DNIS, queueName, wrapUpReason and callvariables/CallVariable name-value pairs,
ECC variables named "user.*"; participants/Participant with mediaAddress,
mediaAddressType, state...; nonvoice: mediaType is the Media Routing Domain's name,
mediaProperties.mediaId its id, no callType, often no fromAddress).

Changes reach users as Finesse's notification Updates (the XML its notification service
publishes): a dialog added to or removed from a user's Dialogs collection is an Update
with event POST or DELETE whose source is /finesse/api/User/{id}/Dialogs (nonvoice:
/finesse/api/User/{id}/Media/{mrdId}/Dialogs), a changed dialog an Update with event PUT
and source /finesse/api/Dialog/{dialogId}. Finesse carries them over XMPP (BOSH); here
the stand-in finesse.js fetches them by long-poll from its own server.
"""

import threading
import time
from datetime import UTC, datetime
from xml.etree import ElementTree as ET  # noqa: N817 - building, not parsing

WAIT_SECONDS = 10.0  # a long-poll answers after this long even with nothing new
FEED_LIMIT = 2000  # updates kept per user; a test never comes near it

# The mediaProperties elements Finesse sends, in its order; callvariables come last.
MEDIA_PROPERTIES = ("mediaId", "dialedNumber", "callType", "DNIS", "queueNumber",
                    "queueName", "callKeyCallId", "callKeySequenceNum", "callKeyPrefix",
                    "wrapUpReason")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, value) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if value not in (None, ""):
        element.text = str(value)
    return element


def is_voice(dialog: dict) -> bool:
    return dialog.get("mediaType", "Voice") == "Voice"


def dialog_element(dialog: dict, tag: str = "Dialog") -> ET.Element:
    """One Dialog as Finesse's XML (the root is lower-case `dialog` in PUT Updates)."""
    root = ET.Element(tag)
    _text(root, "associatedDialogUri", "")
    if dialog.get("fromAddress") is not None:
        _text(root, "fromAddress", dialog["fromAddress"])
    _text(root, "id", dialog["id"])
    properties = ET.SubElement(root, "mediaProperties")
    given = dialog.get("mediaProperties", {})
    for name in MEDIA_PROPERTIES:
        if name in given:
            _text(properties, name, given[name])
    variables = ET.SubElement(properties, "callvariables")
    for name, value in dialog.get("callVariables", {}).items():
        variable = ET.SubElement(variables, "CallVariable")
        _text(variable, "name", name)
        _text(variable, "value", value)
    _text(root, "mediaType", dialog.get("mediaType", "Voice"))
    participants = ET.SubElement(root, "participants")
    for participant in dialog.get("participants", []):
        element = ET.SubElement(participants, "Participant")
        actions = ET.SubElement(element, "actions")
        for action in participant.get("actions", []):
            _text(actions, "action", action)
        _text(element, "mediaAddress", participant["mediaAddress"])
        if is_voice(dialog):  # not returned for nonvoice tasks
            _text(element, "mediaAddressType", participant.get("mediaAddressType", ""))
        _text(element, "startTime", participant.get("startTime", dialog["created"]))
        _text(element, "state", participant["state"])
        _text(element, "stateCause", "")
        _text(element, "stateChangeTime", participant.get("stateChangeTime", dialog["created"]))
    _text(root, "state", dialog["state"])
    if dialog.get("toAddress") is not None:
        _text(root, "toAddress", dialog["toAddress"])
    _text(root, "uri", f"/finesse/api/Dialog/{dialog['id']}")
    return root


def _xml(element: ET.Element) -> str:
    return ET.tostring(element, encoding="unicode")


class Desktop:
    """What the desktop shows and tells: thread-safe, every wait bounded."""

    def __init__(self, directory):
        self.directory = directory
        self.layout: list[dict] = []  # gadgets on the Home tab: {"url", "prefs"}
        self.dialogs: dict[str, dict] = {}
        self.holders: dict[str, list[str]] = {}  # dialog id -> login ids it was delivered to
        self.feeds: dict[str, list[str]] = {}  # login id -> Update documents, oldest first
        self.dropped: dict[str, int] = {}  # login id -> updates trimmed off the feed's front
        self.changed = threading.Condition()

    # --- what a test (or an administrator) sets --------------------------------------

    def set_layout(self, gadgets: list) -> None:
        with self.changed:
            self.layout = [g if isinstance(g, dict) else {"url": g} for g in gadgets]

    def add_dialog(self, dialog: dict) -> dict:
        dialog = {"created": _now(), **dialog}
        users = dialog.pop("users", None) or self._agents_of(dialog)
        with self.changed:
            self.dialogs[dialog["id"]] = dialog
            self.holders[dialog["id"]] = users
            for user in users:
                self._publish(user, self._collection_update("POST", user, dialog))
        return dialog

    def change_dialog(self, dialog_id: str, changes: dict) -> dict | None:
        with self.changed:
            dialog = self.dialogs.get(dialog_id)
            if dialog is None:
                return None
            for key in ("mediaProperties", "callVariables"):
                if key in changes:
                    dialog[key] = {**dialog.get(key, {}), **changes.pop(key)}
            dialog.update(changes)
            update = ET.Element("Update")
            data = ET.SubElement(update, "data")
            data.append(dialog_element(dialog, "dialog"))
            _text(update, "event", "PUT")
            _text(update, "requestId", "")
            _text(update, "source", f"/finesse/api/Dialog/{dialog_id}")
            for user in self.holders[dialog_id]:
                self._publish(user, _xml(update))
            return dialog

    def remove_dialog(self, dialog_id: str) -> bool:
        with self.changed:
            dialog = self.dialogs.pop(dialog_id, None)
            if dialog is None:
                return False
            for user in self.holders.pop(dialog_id):
                self._publish(user, self._collection_update("DELETE", user, dialog))
            return True

    def remove_all(self) -> None:
        with self.changed:
            for dialog_id in list(self.dialogs):
                self.remove_dialog(dialog_id)

    # --- what the desktop's pages read ------------------------------------------------

    def dialogs_of(self, user_id: str, nonvoice: bool) -> str:
        """GET /finesse/api/User/{id}/Dialogs: voice only unless nonvoice is asked for."""
        root = ET.Element("Dialogs")
        with self.changed:
            for dialog_id, dialog in self.dialogs.items():
                if user_id in self.holders[dialog_id] and (nonvoice or is_voice(dialog)):
                    root.append(dialog_element(dialog))
        return _xml(root)

    def updates(self, user_id: str, since: int, wait: float = WAIT_SECONDS) -> tuple[int, list]:
        """(next position, Updates after `since`), waiting up to `wait` seconds for one."""
        deadline = time.monotonic() + min(wait, WAIT_SECONDS)
        with self.changed:
            while True:
                feed = self.feeds.get(user_id, [])
                first = self.dropped.get(user_id, 0)
                end = first + len(feed)
                if since < end:
                    return end, feed[max(since - first, 0):]
                left = deadline - time.monotonic()
                if left <= 0:
                    return end, []
                self.changed.wait(left)

    # --- inside -----------------------------------------------------------------------

    def _agents_of(self, dialog: dict) -> list[str]:
        """Finesse delivers a voice dialog to the users whose extension takes part in it."""
        addresses = {p["mediaAddress"] for p in dialog.get("participants", [])
                     if p.get("mediaAddressType") == "AGENT_DEVICE"}
        return [u["login_id"] for u in self.directory.users if u["extension"] in addresses]

    @staticmethod
    def _collection_update(event: str, user_id: str, dialog: dict) -> str:
        if is_voice(dialog):
            source = f"/finesse/api/User/{user_id}/Dialogs"
        else:
            media_id = dialog.get("mediaProperties", {}).get("mediaId", "")
            source = f"/finesse/api/User/{user_id}/Media/{media_id}/Dialogs"
        update = ET.Element("Update")
        data = ET.SubElement(update, "data")
        ET.SubElement(data, "dialogs").append(dialog_element(dialog))
        _text(update, "event", event)
        _text(update, "requestId", "")
        _text(update, "source", source)
        return _xml(update)

    def _publish(self, user_id: str, update: str) -> None:
        """With self.changed held."""
        feed = self.feeds.setdefault(user_id, [])
        feed.append(update)
        if len(feed) > FEED_LIMIT:
            del feed[0]
            self.dropped[user_id] = self.dropped.get(user_id, 0) + 1
        self.changed.notify_all()
