Feature: The test user's profile
  Every message of the test user carries sender.email and sender.phone_number, and
  bots branch on them. A conversation can start with either or both; without them
  both go out empty. The demo bot echoes them back on "my contact".

  Scenario: Email and phone in one line
    Given a new conversation as "Ann" with email "ann@example.com" and phone "+15550100"
    When the user says "my contact"
    Then the bot replies "Your email is ann@example.com and your phone is +15550100."

  Scenario: Only an email
    Given a new conversation as "Ann" with email "ann@example.com"
    When the user says "my contact"
    Then the bot replies "Your email is ann@example.com and your phone is ."

  Scenario: Only a phone
    Given a new conversation as "Bob" with phone "+15550199"
    When the user says "my contact"
    Then the bot replies "Your email is  and your phone is +15550199."

  Scenario: The profile as a table
    Given a new conversation as "Ann" with:
      | email | ann@example.com |
      | phone | +15550100       |
    When the user says "who am i"
    Then the bot replies "You are Ann."
    When the user says "my contact"
    Then the bot replies containing "ann@example.com and your phone is +15550100"
