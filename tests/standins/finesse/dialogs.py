"""Dialogs as Finesse describes them, for tests to hand to the stand-in.

Voice (Cisco Finesse Web Services guide, Dialog): mediaType "Voice", fromAddress the
calling line, toAddress the destination, mediaProperties (mediaId 1, dialedNumber,
callType, DNIS, queueName...), call and ECC variables, and a participant per leg:
mediaAddress, mediaAddressType (AGENT_DEVICE for an agent's phone), state. Nonvoice
tasks: mediaType is the Media Routing Domain's name, mediaProperties.mediaId its id, no
callType, no mediaAddressType, often no fromAddress.
"""

AGENT = "AGENT_DEVICE"


def leg(address: str, state: str, agent: bool = False, actions: tuple = ()) -> dict:
    return {"mediaAddress": address, "mediaAddressType": AGENT if agent else "",
            "state": state, "actions": list(actions)}


def voice_call(dialog_id: str, caller: str, extension: str, *, state: str = "ALERTING",
               call_type: str = "ACD_IN", from_address: str | None = None,
               queue: str = "Support", dnis: str = "8800", variables: dict | None = None,
               others: list | None = None) -> dict:
    """A call from `caller` to the agent at `extension`, in `state` (ALERTING: ringing).

    `from_address` differs from the caller where Finesse reports another party as the
    calling line (a transfer: the agent who transferred); `others` adds legs.
    """
    agent_state = {"ALERTING": "ALERTING", "ACTIVE": "ACTIVE"}.get(state, state)
    participants = [leg(caller, "ACTIVE"),
                    leg(extension, agent_state, agent=True,
                        actions=("ANSWER",) if state == "ALERTING" else ("HOLD", "DROP"))]
    return {
        "id": dialog_id, "mediaType": "Voice", "state": state,
        "fromAddress": caller if from_address is None else from_address,
        "toAddress": extension,
        "mediaProperties": {"mediaId": "1", "dialedNumber": dnis, "callType": call_type,
                            "DNIS": dnis, "queueNumber": "5022", "queueName": queue,
                            "wrapUpReason": ""},
        "callVariables": variables or {},
        "participants": participants + (others or []),
    }


def agent_call(dialog_id: str, extensions: list[str], call_type: str, *,
               state: str = "ALERTING") -> dict:
    """A call between agents' phones only (agent to agent, consult, supervisor monitor)."""
    caller, *called = extensions
    return {
        "id": dialog_id, "mediaType": "Voice", "state": state,
        "fromAddress": caller, "toAddress": called[0],
        "mediaProperties": {"mediaId": "1", "dialedNumber": called[0], "callType": call_type,
                            "DNIS": called[0]},
        "callVariables": {},
        "participants": [leg(caller, "ACTIVE", agent=True)]
        + [leg(extension, state, agent=True) for extension in called],
    }


def task(dialog_id: str, mrd_name: str, mrd_id: str, agent_id: str, *,
         state: str = "OFFERED", variables: dict | None = None, queue: str = "Chat") -> dict:
    """A nonvoice task (chat, email) offered to `agent_id`: no fromAddress, no callType."""
    return {
        "id": dialog_id, "mediaType": mrd_name, "state": state,
        "mediaProperties": {"mediaId": mrd_id, "dialedNumber": "", "queueNumber": "7001",
                            "queueName": queue},
        "callVariables": variables or {},
        "participants": [{"mediaAddress": agent_id, "state": state,
                          "actions": ["ACCEPT"] if state == "OFFERED" else ["CLOSE"]}],
        "users": [agent_id],
    }
