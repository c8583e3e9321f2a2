Feature: Booking a room
  A guest picks a room on the rooms carousel with "Choose", and the bot asks for
  a confirmation with "Yes" and "No" buttons (typing yes or no works as well).
  A confirmed booking gets a reference. The hotel staff also receive a private
  agent note: it is delivered on the same webhook, but it is not a message to the
  guest, so it is never a reply.

  Scenario: Booking a suite from the carousel
    Given a new conversation as "Ann"
    When the user says "book"
    Then the bot replies "Our rooms"
    And the bot shows a carousel with 3 cards
    When the user taps "Choose" on card "Suite"
    Then the bot replies "You chose the Suite."
    And the bot replies "Shall I book it?"
    And the bot shows buttons "Yes", "No"
    When the user taps "Yes"
    # The reference is random (BK- and five digits): a named group captures it as {{ref}}.
    Then the bot replies matching /^Your booking reference is (?<ref>BK-\d{5})\.$/
    # The bot also delivers "New booking {{ref}} for Ann (agent note)." with private: true.
    # It is kept in the transcript, but it is not a reply: the bot says nothing more.
    And the bot says nothing more

  Scenario: Declining the booking
    Given a new conversation
    When the user says "rooms"
    And the user taps "Choose" on card "Deluxe"
    Then the bot replies "You chose the Deluxe room."
    And the bot replies "Shall I book it?"
    And the bot shows buttons "Yes", "No"
    When the user taps "No"
    Then the bot replies "No problem, nothing was booked."
    And the bot says nothing more

  Scenario Outline: Choosing the <room> asks for a confirmation
    Given a new conversation
    When the user says "rooms"
    And the user taps "Choose" on card "<room>"
    Then the bot replies "<confirmation>"
    And the bot replies "Shall I book it?"
    And the bot shows buttons "Yes", "No"
    And the bot says nothing more

    Examples:
      | room     | confirmation                 |
      | Deluxe   | You chose the Deluxe room.   |
      | Suite    | You chose the Suite.         |
      | Standard | You chose the Standard room. |

  Scenario: Confirming by typing instead of tapping
    Given a new conversation as "Ann"
    When I say 'rooms'
    And I tap 'Choose' on card 'Standard'
    Then bot replies 'You chose the Standard room.'
    And bot replies 'Shall I book it?'
    When I say 'yes'
    Then bot replies matching /reference is BK-\d{5}\./
    And bot says nothing more

  Scenario: The menu's Book button opens the rooms carousel
    Given a new conversation
    When the user says "hi"
    And user taps "Book"
    Then the bot replies "Our rooms"
    And the bot shows a carousel with 3 cards
    And the carousel has cards "Deluxe", "Suite", "Standard"

  Scenario: Saying yes before choosing a room books nothing
    Given a new conversation
    When the user says "yes"
    Then the bot replies 'Sorry, I did not understand. Type "help" to see what I can do.'
    And the bot says nothing more
