"""Twilio's official Python helper library against our twilio dialect, with
only its base URL changed: what a Twilio customer's scripts would do.

Run by `cargo xtask test` with BASE_URL, ACCOUNT_SID and AUTH_TOKEN set;
prints `# pass N` / `# fail N` for the summary."""

import datetime
import json
import os
import urllib.request
import sys
import unittest

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

BASE_URL = os.environ["BASE_URL"]
SID = os.environ["ACCOUNT_SID"]
TOKEN = os.environ["AUTH_TOKEN"]
PASSWORD = "IWasAtSignal2018"


def realm():
    """The account's SIP realm: its domain names must end with it."""
    with urllib.request.urlopen(f"{BASE_URL}/config.json") as r:
        config = json.load(r)
    assert config["account"] == SID, config
    return config["sip_realm"]


def client():
    c = Client(SID, TOKEN)
    c.api.base_url = BASE_URL
    return c


class CredentialLists(unittest.TestCase):
    def test_a_list_and_its_credentials_paged_updated_deleted(self):
        c = client()
        cl = c.sip.credential_lists.create(friendly_name="SDK desk phones")
        self.assertTrue(cl.sid.startswith("CL") and len(cl.sid) == 34, cl.sid)
        self.assertEqual(cl.friendly_name, "SDK desk phones")
        # The library parsed our RFC 2822 date.
        self.assertIsInstance(cl.date_created, datetime.datetime)

        credentials = c.sip.credential_lists(cl.sid).credentials
        made = [credentials.create(username=f"sdk.desk{i}", password=PASSWORD) for i in range(5)]
        self.assertTrue(all(m.sid.startswith("CR") for m in made))
        self.assertEqual(made[0].credential_list_sid, cl.sid)

        # Pages of 2, followed through next_page_uri by the library.
        names = [x.username for x in credentials.list(page_size=2)]
        self.assertEqual(names, [f"sdk.desk{i}" for i in range(5)])
        first_page = credentials.page(page_size=2)
        self.assertEqual([x.username for x in first_page], ["sdk.desk0", "sdk.desk1"])
        self.assertEqual([x.username for x in first_page.next_page()], ["sdk.desk2", "sdk.desk3"])

        fetched = credentials(made[1].sid).fetch()
        self.assertEqual(fetched.username, "sdk.desk1")
        updated = credentials(made[1].sid).update(password="Another-Passw0rd-2026")
        self.assertEqual(updated.sid, made[1].sid)
        self.assertTrue(credentials(made[1].sid).delete())
        self.assertEqual(len(credentials.list()), 4)

        renamed = c.sip.credential_lists(cl.sid).update(friendly_name="SDK lobby")
        self.assertEqual(renamed.friendly_name, "SDK lobby")
        self.assertIn(cl.sid, [x.sid for x in c.sip.credential_lists.list()])
        self.assertTrue(c.sip.credential_lists(cl.sid).delete())

    def test_our_errors_read_back_as_twilio_exceptions(self):
        c = client()
        cl = c.sip.credential_lists.create(friendly_name="SDK errors")
        credentials = c.sip.credential_lists(cl.sid).credentials
        with self.assertRaises(TwilioRestException) as weak:
            credentials.create(username="sdk.weak", password="alllowercase12")
        self.assertEqual(weak.exception.status, 400)
        self.assertEqual(weak.exception.code, 20001)
        self.assertIn("Password: it is missing an uppercase letter", weak.exception.msg)

        with self.assertRaises(TwilioRestException) as long_name:
            credentials.create(username="u" * 33, password=PASSWORD)
        self.assertIn("Username: it has 33 characters", long_name.exception.msg)

        credentials.create(username="sdk.twice", password=PASSWORD)
        with self.assertRaises(TwilioRestException) as twice:
            credentials.create(username="sdk.twice", password=PASSWORD)
        self.assertEqual((twice.exception.status, twice.exception.code), (409, 20409))

        with self.assertRaises(TwilioRestException) as missing:
            c.sip.credential_lists("CL" + "0" * 32).fetch()
        self.assertEqual((missing.exception.status, missing.exception.code), (404, 20404))

        wrong = Client(SID, "wrong-token-0123456789")
        wrong.api.base_url = BASE_URL
        # (A list page answered 401 raises the library's plain TwilioException;
        # a fetch raises TwilioRestException with the code.)
        with self.assertRaises(TwilioRestException) as denied:
            wrong.sip.credential_lists(cl.sid).fetch()
        self.assertEqual((denied.exception.status, denied.exception.code), (401, 20003))
        c.sip.credential_lists(cl.sid).delete()


class IpAccessControlLists(unittest.TestCase):
    def test_an_acl_and_its_addresses(self):
        c = client()
        acl = c.sip.ip_access_control_lists.create(friendly_name="SDK office")
        self.assertTrue(acl.sid.startswith("AL") and len(acl.sid) == 34, acl.sid)
        addresses = c.sip.ip_access_control_lists(acl.sid).ip_addresses
        host = addresses.create(friendly_name="PBX", ip_address="198.51.100.7")
        self.assertEqual(host.cidr_prefix_length, 32)
        branch = addresses.create(friendly_name="Branch", ip_address="203.0.113.0", cidr_prefix_length=24)
        self.assertEqual(branch.ip_access_control_list_sid, acl.sid)
        self.assertEqual([a.ip_address for a in addresses.list()], ["198.51.100.7", "203.0.113.0"])
        self.assertEqual(addresses(branch.sid).update(friendly_name="Branch office").friendly_name, "Branch office")
        with self.assertRaises(TwilioRestException) as bad:
            addresses.create(friendly_name="Bad", ip_address="203.0.113.256")
        self.assertEqual((bad.exception.status, bad.exception.code), (400, 20001))
        self.assertIn("IpAddress:", bad.exception.msg)
        self.assertTrue(addresses(host.sid).delete())
        self.assertTrue(c.sip.ip_access_control_lists(acl.sid).delete())


class Domains(unittest.TestCase):
    def test_a_domain_and_its_three_kinds_of_mapping(self):
        c = client()
        cl = c.sip.credential_lists.create(friendly_name="SDK domain phones")
        acl = c.sip.ip_access_control_lists.create(friendly_name="SDK domain office")
        name = f"sdk.{realm()}"
        domain = c.sip.domains.create(domain_name=name, friendly_name="SDK", sip_registration=True)
        self.assertEqual(domain.domain_name, name)
        self.assertTrue(domain.sid.startswith("SD") and len(domain.sid) == 34, domain.sid)
        self.assertTrue(domain.sip_registration)
        auth = c.sip.domains(domain.sid).auth
        mapped = auth.calls.credential_list_mappings.create(credential_list_sid=cl.sid)
        self.assertEqual((mapped.sid, mapped.friendly_name), (cl.sid, "SDK domain phones"))
        auth.calls.ip_access_control_list_mappings.create(ip_access_control_list_sid=acl.sid)
        auth.registrations.credential_list_mappings.create(credential_list_sid=cl.sid)
        self.assertEqual([m.sid for m in auth.calls.credential_list_mappings.list()], [cl.sid])
        self.assertEqual([m.sid for m in auth.calls.ip_access_control_list_mappings.list()], [acl.sid])
        self.assertEqual([m.sid for m in auth.registrations.credential_list_mappings.list()], [cl.sid])
        self.assertEqual(auth.calls.ip_access_control_list_mappings(acl.sid).fetch().friendly_name, "SDK domain office")
        with self.assertRaises(TwilioRestException) as twice:
            auth.calls.credential_list_mappings.create(credential_list_sid=cl.sid)
        self.assertEqual((twice.exception.status, twice.exception.code), (409, 20409))
        self.assertTrue(auth.calls.credential_list_mappings(cl.sid).delete())
        self.assertEqual(c.sip.domains(domain.sid).update(friendly_name="SDK main").friendly_name, "SDK main")
        self.assertTrue(c.sip.domains(domain.sid).delete())
        c.sip.credential_lists(cl.sid).delete()
        c.sip.ip_access_control_lists(acl.sid).delete()


if __name__ == "__main__":
    result = unittest.TextTestRunner(verbosity=2).run(
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    )
    failed = len(result.failures) + len(result.errors)
    print(f"# pass {result.testsRun - failed}")
    print(f"# fail {failed}")
    sys.exit(0 if result.wasSuccessful() else 1)
