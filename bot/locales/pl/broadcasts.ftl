## Staff broadcasts (Polish).

btn-bc-menu = 📣 Ogłoszenia
bc-menu = <b>📣 Ogłoszenia</b>
    Wyślij wiadomość do uczestników: wszystkich albo wybranej grupy.
btn-bc-new = ✏️ Nowe ogłoszenie
btn-bc-continue = 📝 Dokończ szkic
btn-bc-history = 📋 Wysłane ogłoszenia
btn-bc-back = ⬅️ Wróć

bc-ask-text-pl = Napisz treść ogłoszenia po polsku. Dostaną ją wszyscy, którzy nie mają wersji w swoim języku.
    Możesz też wysłać zdjęcie albo dokument z podpisem.
bc-ask-text-uk = Napisz wersję ukraińską (dostaną ją osoby, które wybrały ukraiński).
bc-ask-text-en = Napisz wersję angielską (dostaną ją osoby, które wybrały angielski).
bc-ask-media = Wyślij zdjęcie albo dokument. Podpis, jeśli go dodasz, zastąpi treść po polsku.
bc-ask-caption = Załącznik dodany. Teraz napisz treść ogłoszenia po polsku.
bc-ask-dates = Napisz zakres dat, np. 3.12-10.12 (albo jeden dzień: 3.12).
bc-ask-when = Napisz datę i godzinę wysyłki, np. 5.12 10:00.

bc-card = <b>📣 Ogłoszenie (szkic)</b>
    { $text }

    🇺🇦 Wersja ukraińska: { $uk }
    🇬🇧 Wersja angielska: { $en }
    📎 Załącznik: { $media }
    👥 Odbiorcy: { $audience }
    ⏰ Kiedy: { $when }
    🌙 Cisza nocna: { $quiet }
bc-none = —
bc-media-photo = zdjęcie
bc-media-document = dokument
bc-when-now = od razu po zatwierdzeniu
bc-quiet-respected = w nocy wysyłka czeka do rana
bc-quiet-ignored = pilne: wysyłka także w nocy
btn-bc-text = ✏️ Treść
btn-bc-media = 📎 Załącznik
btn-bc-media-remove = 📎 Usuń załącznik
btn-bc-uk = 🇺🇦 Wersja UA
btn-bc-en = 🇬🇧 Wersja EN
btn-bc-remove-version = 🗑 Usuń tę wersję
btn-bc-audience = 👥 Odbiorcy
btn-bc-when = ⏰ Kiedy
btn-bc-urgent = { $on ->
    [yes] 🚨 Pilne: tak
   *[no] 🚨 Pilne: nie
}
btn-bc-preview = 👁 Podgląd
btn-bc-send = ✅ Wyślij…
btn-bc-discard = 🗑 Usuń szkic

bc-aud-none = nie wybrano
bc-aud-all = wszyscy aktywni uczestnicy
bc-aud-language = uczestnicy, którzy wybrali język: { $language }
bc-aud-workshop = zapisani na warsztat „{ $title }”
bc-aud-session = zapisani na „{ $title }”, { $when }
bc-aud-waitlist = lista oczekujących „{ $title }”, { $when }
bc-aud-dates = mający zajęcia lub konsultację { $start }–{ $end }
bc-aud-gone = (ta grupa już nie istnieje)
bc-aud-count = { $audience } — { $count ->
    [one] { $count } osoba
    [few] { $count } osoby
   *[many] { $count } osób
}
bc-aud-skipped = {" "}(pominięto { $count }: zablokowali bota)

bc-audience-title = Kto ma dostać ogłoszenie?
btn-bc-aud-all = 👥 Wszyscy uczestnicy
btn-bc-aud-workshop = 📚 Zapisani na warsztat
btn-bc-aud-session = 📅 Zapisani na jeden termin
btn-bc-aud-waitlist = ⏳ Lista oczekujących
btn-bc-aud-dates = 🗓 Mający zajęcia w wybrane dni
btn-bc-aud-language = 🌐 Osoby z jednym językiem
bc-pick-workshop = Wybierz warsztat (w nawiasie: ile osób jest zapisanych):
bc-pick-session = Wybierz termin (w nawiasie: ile osób jest zapisanych):
bc-pick-waitlist = Wybierz termin (w nawiasie: ile osób czeka):
bc-pick-none = Nie ma takich nadchodzących terminów.
bc-pick-language = Który język?
bc-pick-dates = Wybierz dni albo wpisz zakres dat:
btn-bc-this-week = Ten tydzień
btn-bc-next-week = Przyszły tydzień
btn-bc-next-14 = Najbliższe 14 dni
btn-bc-type-dates = ✏️ Wpiszę daty

bc-when-title = Kiedy wysłać ogłoszenie?
btn-bc-now = ▶️ Od razu po zatwierdzeniu
btn-bc-today-evening = Dziś o 18:00
btn-bc-tomorrow-morning = Jutro o 9:00
btn-bc-tomorrow-noon = Jutro o 12:00
btn-bc-type-when = ✏️ Wpiszę datę i godzinę

bc-preview-title = 👁 Podgląd — { $language }:
bc-confirm-now = Wysłać ogłoszenie teraz do { $count ->
    [one] { $count } osoby
   *[other] { $count } osób
}?
bc-confirm-later = Zaplanować ogłoszenie na { $when } dla { $count ->
    [one] { $count } osoby
   *[other] { $count } osób
}?
bc-confirm-quiet = 🌙 W tym czasie trwa cisza nocna, więc wysyłka zacznie się o { $when }. Jeśli to pilne, włącz „Pilne”.
btn-bc-confirm = ✅ Tak, wyślij

bc-report-title = <b>📣 Ogłoszenie</b> ({ $when })
bc-report-audience = 👥 { $audience }: { $count }
bc-state-scheduled = ⏰ Zaplanowane na { $when }
bc-state-sending = ⏳ Wysyłanie: { $done } z { $total }…
bc-state-stopping = ⏹ Zatrzymywanie…
bc-state-stopped = ⏹ Zatrzymane
bc-state-done = ✅ Wysyłka zakończona
bc-report-counts = ✅ Doręczono: { $delivered }
    🚫 Nieosiągalni (zablokowali bota): { $unreachable }
    ⚠️ Nie udało się: { $failed }
bc-report-cancelled = ⏹ Nie wysłano: { $count }
bc-report-retrying = 🔁 Ponawiane: { $count }
btn-bc-stop = ⏹ Zatrzymaj wysyłkę
btn-bc-stop-yes = ⏹ Tak, zatrzymaj
bc-stop-confirm = Zatrzymać wysyłkę? Wiadomości, które jeszcze nie wyszły ({ $count }), nie zostaną wysłane.
btn-bc-failures = ⚠️ Niedoręczone ({ $count })
btn-bc-refresh = 🔄 Odśwież
btn-bc-report = 📊 Raport
bc-finished-notice = 📣 Ogłoszenie wysłane: doręczono { $delivered }, nieosiągalni { $unreachable }, nie udało się { $failed }.

bc-stopped-notice = ⏹ Ogłoszenie zatrzymane: doręczono { $delivered }, nie wysłano { $cancelled }.

bc-history-title = <b>📋 Wysłane ogłoszenia</b>
    (doręczone / wszyscy odbiorcy)
bc-history-empty = Nie wysłano jeszcze żadnego ogłoszenia.
btn-bc-history-line = { $when } · ✅ { $delivered }/{ $total }
bc-failures-title = <b>⚠️ Niedoręczone</b>
bc-failure-blocked = • { $name }: zablokował(a) bota — warto zadzwonić
bc-failure-failed = • { $name }: { $reason }
bc-failure-unknown = (dane usunięte)
bc-failures-none = Wszyscy dostali ogłoszenie.
bc-failures-more = Pokazuję pierwsze { $count }.

bc-text-empty = Treść nie może być pusta. Napisz ją jeszcze raz.
bc-text-too-long = Za długa wiadomość: najwyżej 4096 znaków.
bc-caption-too-long = Z załącznikiem tekst może mieć najwyżej 1024 znaki. Skróć go albo usuń załącznik.
bc-media-invalid = Tego pliku nie da się dołączyć. Wyślij zdjęcie albo dokument.
bc-media-expected = Tu wyślij zdjęcie albo dokument (albo stuknij „Wróć”).
bc-text-expected = Tu wyślij sam tekst (załącznik dodasz przyciskiem „📎 Załącznik”).
bc-no-audience = Najpierw wybierz odbiorców.
bc-no-recipients = Nikt z tej grupy nie może teraz dostać wiadomości. Wybierz innych odbiorców.
bc-dates-format = Nie rozumiem dat. Napisz np. 3.12-10.12.
bc-dates-too-long = Najwyżej 3 miesiące naraz.
bc-when-format = Nie rozumiem. Napisz datę i godzinę, np. 5.12 10:00.
bc-when-past = Ten czas już minął. Wybierz późniejszy.
bc-when-too-far = Najwyżej 90 dni naprzód.
bc-already-sent = To ogłoszenie zostało już zatwierdzone.
bc-already-finished = Wysyłka już się zakończyła.
bc-stopped = Zatrzymano. Nie wysłano: { $count }.
bc-discarded = 🗑 Szkic usunięty.
