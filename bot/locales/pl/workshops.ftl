## Workshops (Polish).

menu-workshops = 📚 Warsztaty
menu-bookings = 🗓 Moje zapisy
group-social = 🤝 Aktywizacja społeczna
group-professional = 💼 Aktywizacja zawodowa
group-community = 🏘 Aktywizacja środowiskowa
ws-groups-title = Jakie zajęcia Cię interesują?
ws-pick = Wybierz warsztat:
ws-none = Na razie nie ma tu warsztatów.
ws-place = Miejsce: { $place }
ws-dates = Najbliższe terminy:
ws-no-dates = Na razie nie ma terminów. Zajrzyj później.
ws-free-seats = { $count ->
    [one] { $count } wolne miejsce
    [few] { $count } wolne miejsca
   *[many] { $count } wolnych miejsc
}
ws-full = brak miejsc, lista rezerwowa: { $waiting }
btn-series = 🔁 Cały cykl: { $title }
btn-signup = ✅ Zapisz mnie
btn-join-waitlist = ⏳ Zapisz mnie na listę rezerwową
btn-back = ⬅️ Wstecz
btn-ics = 📲 Dodaj do kalendarza
btn-cancel-booking = ❌ Odwołaj
btn-leave-waitlist = ❌ Zrezygnuj z listy rezerwowej
btn-cancel-yes = Tak, odwołaj
btn-cancel-no = Nie, zostaw
btn-history = 📜 Historia zajęć
btn-take = ✅ Biorę
btn-pass = Rezygnuję
btn-coming = 👍 Będę
ws-booked = ✅ Zapisano: <b>{ $title }</b>
    { $when }
    Miejsce: { $place }
    Przypomnimy Ci o zajęciach.
ws-already-booked = Już jesteś zapisany(-a): <b>{ $title }</b>
    { $when }
    Miejsce: { $place }
ws-waiting = Wszystkie miejsca są zajęte. Jesteś na liście rezerwowej: <b>{ $title }</b>, { $when }.
    Twoje miejsce w kolejce: { $position }. Gdy zwolni się miejsce, zaproponujemy je Tobie.
ws-already-waiting = Już jesteś na liście rezerwowej: <b>{ $title }</b>, { $when }. Miejsce w kolejce: { $position }.
ws-offer-pending = Czeka na Ciebie wolne miejsce: <b>{ $title }</b>. Odpowiedz na wiadomość z propozycją.
ws-closed = Zapisy na ten termin są zamknięte.
ws-series-booked = Zapisano na cały cykl:
ws-state-confirmed = ✅ masz miejsce
ws-state-waiting = ⏳ lista rezerwowa
ws-bookings-title = { $count ->
    [one] Masz { $count } zapis:
    [few] Masz { $count } zapisy:
   *[many] Masz { $count } zapisów:
}
ws-bookings-empty = Nie masz żadnych zapisów. Wybierz „📚 Warsztaty”, aby się zapisać.
ws-booking-confirmed = ✅ <b>{ $title }</b>
    { $when }
    Miejsce: { $place }
ws-booking-waiting = ⏳ <b>{ $title }</b>, { $when }
    Lista rezerwowa, miejsce w kolejce: { $position }
ws-booking-offered = 🎉 <b>{ $title }</b>, { $when }
    Zwolniło się miejsce — czy je bierzesz?
bk-line-workshop = 📚 <b>{ $title }</b>, { $when } — { $state }
bk-line-consult = 💬 <b>{ $service }</b>, { $when }
bk-state-confirmed = ✅ masz miejsce
bk-state-waiting = ⏳ lista rezerwowa, miejsce w kolejce: { $position }
bk-state-offered = 🎉 zwolniło się miejsce — odpowiedz
bk-open-hint = Wybierz zapis, aby go otworzyć lub odwołać.
bk-page = Strona { $page } z { $pages }
ws-history-title = <b>Historia zajęć</b>
ws-history-empty = Nie masz jeszcze zakończonych zajęć.
ws-attended = obecność ✅
ws-absent = nieobecność
ws-unmarked = obecność niezaznaczona
ws-cancel-confirm = Odwołać zapis: <b>{ $title }</b>, { $when }?
ws-kept = W porządku, zapis zostaje.
ws-cancelled = Odwołano. Jeśli ktoś czeka na liście rezerwowej, dostanie to miejsce.
ws-already-cancelled = Ten zapis jest już nieaktualny.
ws-cutoff = Jest już za późno, aby odwołać zapis w bocie. Zadzwoń do klubu: 58 677 79 87 (pon.–pt. 8:00–10:00).
ws-offer = 🎉 Zwolniło się miejsce: <b>{ $title }</b>, { $when }.
    Czy chcesz je zająć? Odpowiedz do: { $deadline }.
ws-offer-passed = Dziękujemy za odpowiedź. Zaproponujemy miejsce następnej osobie.
ws-offer-gone = Ta propozycja jest już nieaktualna.
ws-reminder = Przypomnienie: zajęcia w KIS — { $when }.
    <b>{ $title }</b>
    Miejsce: { $place }
ws-coming-thanks = Dziękujemy, do zobaczenia!
ws-session-cancelled = Przepraszamy — zajęcia <b>{ $title }</b> ({ $when }) zostały odwołane. Twój zapis został anulowany.

## Staff screens for sessions.
btn-staff-sessions = 📚 Terminy warsztatów
sw-list-title = Terminy na najbliższe dwa tygodnie (zajęte/miejsca):
sw-list-empty = Brak terminów w najbliższych dwóch tygodniach.
sw-cancelled-mark = (odwołane)
sw-seats = Miejsca zajęte: { $taken } z { $capacity }
sw-confirmed-title = <b>Zapisani ({ $count }):</b>
sw-offered-title = <b>Czekają na odpowiedź na propozycję ({ $count }):</b>
sw-waiting-title = <b>Lista rezerwowa ({ $count }):</b>
sw-none = —
btn-rest-absent = Pozostali: nieobecni
btn-capacity = 🔢 Zmień liczbę miejsc
btn-cancel-session = 🚫 Odwołaj termin
btn-cancel-session-yes = Tak, odwołaj i powiadom wszystkich
sw-cancel-confirm = Odwołać ten termin? Wszyscy zapisani i osoby z listy rezerwowej dostaną wiadomość.
sw-already-cancelled = Ten termin jest już odwołany.
sw-cancelled-done = { $count ->
    [one] Termin odwołany. Powiadamiamy { $count } osobę.
    [few] Termin odwołany. Powiadamiamy { $count } osoby.
   *[many] Termin odwołany. Powiadamiamy { $count } osób.
}
sw-capacity-ask = Napisz nową liczbę miejsc (np. 12).
ws-capacity-invalid = Podaj liczbę nie mniejszą niż liczba zajętych miejsc (i nie większą niż 1000).
sw-capacity-done = Liczba miejsc: { $capacity }. Wolne miejsca proponujemy osobom z listy rezerwowej.
btn-open = Otwórz
btn-sw-catalogue = 🗂 Katalog warsztatów
sw-catalogue-title = Katalog warsztatów. Wybierz warsztat, aby go edytować lub dodać termin:
btn-sw-new-workshop = ➕ Nowy warsztat
sw-new-group-ask = Do jakiej grupy należy nowy warsztat?
sw-new-title-ask = Napisz nazwę warsztatu (po polsku).
sw-session-ask = Napisz datę, godziny i (opcjonalnie) liczbę miejsc oraz miejsce, np.:
    2027-03-02 17:00-19:00 12 MOPS Wejherowo
sw-title-ask = Napisz nową nazwę (po polsku).
sw-desc-ask = Napisz nowy opis (po polsku, 1–2 zdania).
sw-place-ask = Napisz miejsce zajęć, np. KIS Śródmieście, Wejherowo.
sw-workshop-created = Utworzono warsztat: <b>{ $title }</b>. Dodaj opis, miejsce i terminy.
sw-session-added = Dodano termin: { $when }, miejsc: { $capacity }.
sw-saved = Zapisano.
sw-workshop-card = <b>{ $title }</b>
    Grupa: { $group }
    Opis: { $description }
    Miejsce: { $place }
    Domyślna liczba miejsc: { $capacity }
btn-sw-add-session = ➕ Dodaj termin
btn-sw-edit-title = ✏️ Nazwa
btn-sw-edit-desc = ✏️ Opis
btn-sw-edit-place = 📍 Miejsce
sw-session-format = Nie rozumiem. Napisz np.: 2027-03-02 17:00-19:00 12
sw-session-end-before-start = Godzina końca musi być po godzinie początku.
sw-session-in-past = Ten termin już minął. Podaj przyszłą datę.
sw-session-exists = Ten warsztat ma już termin o tej godzinie.
sw-title-invalid = Ten tekst jest pusty albo za długi. Spróbuj jeszcze raz.
