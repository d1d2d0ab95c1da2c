"""The public conformance vectors of SIP2 (checksums verified byte for byte)."""

VALID = [
    b"96AZFEF6",
    b"97AZFEF5",
    b"941AY0AZFDFD",
    b"940AY0AZFDFE",
    b"9300CNuser_id|COpassw0rd|AY1AZF594",
    b"9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC7B",
    b"990 402.00AY1AZFCB4",
    b"11YN19960212    10051419960212    100514AO|AA104000000105|AB000000000005792|AC|AY3AZEDC2",
    b"09N19980821    085721                  APCertification Terminal Location|"
    b"AOCertification Institute ID|ABCheckInBook|ACTPWord|BIN|AY2AZD6A5",
    b"101YNN19980821    085721AOCertification Institute ID|ABCheckInBook|"
    b"AQPermanent Location for CheckinBook, Language 1|AJTitle For CheckinBook|AAGoodPatron1|CK001|"
    b"CHCheckinBook Properties|CLsort bin A1|AFScreen Message for CheckInBook|"
    b"AGPrint Line for CheckInBook|AY2AZA3FF",
    b"36Y19980723    110658AOInstitutionID for PatronID|AAPatronID|"
    b"AFScreenMessage 0 for PatronID, Language 1|AFScreen Message 1 for PatronID, Language 1|"
    b"AFScreen Message 2 for PatronID, Language 1|AGPrint Line 0 for PatronID, Language 1|"
    b"AGPrint Line 1 for PatronID, Language 1|AGPrint Line 2 for PatronID, language 1|AY5AZ970F",
]

BAD_CHECKSUM = [
    b"9300CNuser_id|COpassw0rd|AY1AZF595",
    # Checksums printed in the 3M guide and copied elsewhere, which are wrong.
    b"11YN19960212    10051419960212    100514AO|AA104000000105|AB000000000005792|AC|AY3AZEC78",
    b"941AY0AZFDFE",
]
