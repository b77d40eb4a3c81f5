// SPDX-License-Identifier: MIT
// What a NATS credentials or nkey seed file holds, read by NatsCredentials and NatsNkey, on any
// bytes. Oracle: a seed that is taken is the one way of writing its key (written again, it is the
// same text), its key signs (an Ed25519 signature is 64 bytes), and credentials taken carry a JWT
// that cannot break out of the JSON it is sent in.
#include "core/nats/natscredentials.h"
#include "fuzzinput.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Clickscope;
using namespace Clickscope::Fuzz;

namespace {

void checkKey(const NatsNkey &key, QByteArrayView text)
{
    FUZZ_CHECK(key.seed() == text.trimmed());
    FUZZ_CHECK(key.publicKey().size() == 56);
    FUZZ_CHECK(key.sign("nonce").size() == NatsNkey::kSignatureBytes);
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput input(data, size);
    const QByteArrayView bytes = input.rest();

    if (const Result<NatsNkey> key = NatsNkey::fromSeed(bytes))
        checkKey(*key, bytes);
    if (const Result<NatsCredentials> alone = NatsCredentials::fromSeedText(bytes)) {
        FUZZ_CHECK(alone->key.role() == NatsNkey::Role::User && alone->jwt.isEmpty());
        checkKey(alone->key, bytes);
    }
    if (const Result<NatsCredentials> credentials = NatsCredentials::fromCredsText(bytes)) {
        FUZZ_CHECK(credentials->key.role() == NatsNkey::Role::User && !credentials->jwt.isEmpty());
        QJsonObject hello;
        credentials->addTo(hello, "nonce");
        const QJsonObject back = QJsonDocument::fromJson(QJsonDocument(hello).toJson(QJsonDocument::Compact)).object();
        FUZZ_CHECK(back.value(u"jwt").toString().toLatin1() == credentials->jwt);
        FUZZ_CHECK(back.size() == 2);
    }
    return 0;
}
